from django.http import HttpResponse
from django.urls import path


def _pending(request, *args, **kwargs):  # replaced by each slice's real view
    return HttpResponse("")


app_name = "casework"
urlpatterns = [
    # --- requests slice: staff queues, request page and actions, intake, portal, notifications ---
    path("requests/", _pending, name="queue"),
    path("requests/<int:pk>/", _pending, name="request_detail"),
    path("portal/requests/", _pending, name="portal_list"),
    path("portal/requests/<int:pk>/", _pending, name="portal_detail"),
    path("notifications/", _pending, name="notifications"),
    # --- end requests slice ---
    # --- knowledge-base slice ---
    path("kb/", _pending, name="kb_list"),
    path("kb/suggest/", _pending, name="kb_suggest"),
    # --- end knowledge-base slice ---
    # --- case-file slice ---
    path("requests/<int:pk>/case/", _pending, name="case_panel"),
    # --- end case-file slice ---
]
