from django.urls import path

from ipps.ledger import views

app_name = "ledger"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/drill/", views.drill, name="drill"),
    path("dashboard/drill/export.<str:fmt>", views.drill_export, name="drill_export"),
]
