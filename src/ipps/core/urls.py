from django.urls import path

from ipps.core import calendar_views, views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/chain/", views.audit_chain, name="audit_chain"),
    path("calendar/", calendar_views.calendar_month, name="calendar"),
]
