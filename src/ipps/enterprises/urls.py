from django.urls import path

from ipps.core import views as core_views

app_name = "enterprises"
urlpatterns = [
    path("", core_views.home, name="list"),
    path("priority/", core_views.home, name="priority_list"),
    path("import/", core_views.home, name="import"),
    path("<int:pk>/", core_views.home, name="detail"),
]
