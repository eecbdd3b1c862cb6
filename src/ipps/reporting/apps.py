from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "ipps.reporting"
    verbose_name = _("Monthly reports")
