"""A URLconf whose views fail, with the product's error handlers (tests/core/test_error_pages.py)."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom", boom),
    path("", include("ipps.urls")),
]

handler400 = "ipps.core.error_views.bad_request"
handler403 = "ipps.core.error_views.permission_denied"
handler404 = "ipps.core.error_views.page_not_found"
handler500 = "ipps.core.error_views.server_error"
