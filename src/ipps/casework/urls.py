from django.http import HttpResponse
from django.urls import path

from ipps.casework import case_views, kb_views, views


def _pending(request, *args, **kwargs):  # replaced by each slice's real view
    return HttpResponse("")


app_name = "casework"
urlpatterns = [
    # --- requests slice: staff queues, request page and actions, intake, portal, notifications ---
    path("requests/", views.queue, name="queue"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/new/enterprises/", views.enterprise_options, name="enterprise_options"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/do/<slug:action>/", views.request_action, name="request_action"),
    path(
        "requests/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("portal/requests/", views.portal_list, name="portal_list"),
    path("portal/requests/new/", views.portal_new, name="portal_new"),
    path("portal/requests/<int:pk>/", views.portal_detail, name="portal_detail"),
    path("portal/requests/<int:pk>/do/<slug:action>/", views.portal_action, name="portal_action"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    # --- end requests slice ---
    # --- knowledge-base slice ---
    path("kb/", kb_views.kb_list, name="kb_list"),
    path("kb/suggest/", kb_views.kb_suggest, name="kb_suggest"),
    path("kb/new/", kb_views.kb_new, name="kb_new"),
    path("kb/<int:pk>/", kb_views.kb_detail, name="kb_detail"),
    path("kb/<int:pk>/edit/", kb_views.kb_edit, name="kb_edit"),
    path("kb/<int:pk>/do/<slug:action>/", kb_views.kb_action, name="kb_action"),
    # --- end knowledge-base slice ---
    # --- case-file slice ---
    path("requests/<int:pk>/case/", case_views.case_panel, name="case_panel"),
    path("requests/<int:pk>/case/open/", case_views.case_open, name="case_open"),
    path("requests/<int:pk>/case/edit/", case_views.case_edit, name="case_edit"),
    path("requests/<int:pk>/case/rights/", case_views.case_rights, name="case_rights"),
    path("requests/<int:pk>/case/facts/", case_views.case_fact_add, name="case_fact_add"),
    path(
        "requests/<int:pk>/case/evidence/", case_views.case_evidence_add, name="case_evidence_add"
    ),
    path(
        "requests/<int:pk>/case/evidence/<int:evidence_pk>/download/",
        case_views.case_evidence_download,
        name="case_evidence_download",
    ),
    # --- end case-file slice ---
]
