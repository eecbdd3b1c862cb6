from django.contrib import admin
from django.urls import include, path

from ipps.core import views as core_views
from ipps.core.api import register_routers
from ipps.core.routing import indexed

api = register_routers()

urlpatterns = [
    # First: programs call the API far more often than people open pages, and Django tries the
    # patterns in order (those of the API grouped by the shape of their route: ipps.core.routing).
    indexed("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("", include("ipps.core.urls")),
    path("accounts/", include("ipps.accounts.urls")),
    path("units/", include("ipps.network.urls")),
    path("enterprises/", include("ipps.enterprises.urls")),
    path("", include("ipps.casework.urls")),
    path("", include("ipps.ledger.urls")),
    path("", include("ipps.reporting.urls")),
    path("", include("ipps.assessment.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Error pages in the reader's language, and JSON under /api/ (ipps/core/error_views.py).
handler400 = "ipps.core.error_views.bad_request"
handler403 = "ipps.core.error_views.permission_denied"
handler404 = "ipps.core.error_views.page_not_found"
handler500 = "ipps.core.error_views.server_error"
