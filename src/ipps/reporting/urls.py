from django.urls import path

from ipps.reporting import views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/completeness/", views.completeness, name="completeness"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="edit"),
    path("reports/<int:pk>/adjust/", views.report_adjust, name="adjust"),
    path(
        "reports/<int:pk>/<str:action>/",
        views.report_action,
        name="action",
    ),
    path("reports/<int:pk>/export.<str:fmt>", views.report_export, name="export"),
]
