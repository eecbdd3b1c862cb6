from django.urls import path

from ipps.core import views as core_views

app_name = "network"
urlpatterns = [
    path("", core_views.home, name="unit_list"),
]
