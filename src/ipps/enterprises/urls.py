from django.urls import path

from ipps.enterprises import import_views, views

app_name = "enterprises"
urlpatterns = [
    # --- enterprises: list, detail, edit, priority list, export (owned by the enterprises slice) ---
    path("", views.enterprise_list, name="list"),
    path("export.<str:fmt>", views.enterprise_export, name="export"),
    path("new/", views.enterprise_create, name="create"),
    path("priority/", views.priority_list, name="priority_list"),
    path("priority/export.<str:fmt>", views.priority_export, name="priority_export"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/archive/", views.enterprise_archive, name="archive"),
    path("<int:pk>/restore/", views.enterprise_restore, name="restore"),
    path("<int:pk>/ip-assets/", views.ip_asset_create, name="ip_asset_create"),
    path(
        "<int:pk>/ip-assets/<int:asset_pk>/archive/",
        views.ip_asset_archive,
        name="ip_asset_archive",
    ),
    path("<int:pk>/priority/", views.priority_add, name="priority_add"),
    path(
        "<int:pk>/priority/<int:listing_pk>/remove/",
        views.priority_remove,
        name="priority_remove",
    ),
    # --- end enterprises slice ---
    # --- import (owned by the import slice) ---
    path("import/", import_views.import_start, name="import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_job_detail, name="import_job"),
    path("import/<int:pk>/progress/", import_views.import_job_progress, name="import_job_progress"),
    path(
        "import/<int:pk>/report.<str:fmt>", import_views.import_job_report, name="import_job_report"
    ),
    # --- end import slice ---
]
