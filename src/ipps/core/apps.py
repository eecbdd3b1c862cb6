from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ipps.core"
    verbose_name = _("Core")

    def ready(self):
        from ipps.core import connections

        connections.install()
