from django.urls import path

from ipps.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.home, name="audit_log"),
]
