from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_search_index(sender, using="default", **kwargs):
    from ipps.core.search import sqlite_fts_repair

    sqlite_fts_repair(using)


class CaseworkConfig(AppConfig):
    name = "ipps.casework"
    verbose_name = _("Casework")

    def ready(self):
        post_migrate.connect(_repair_search_index, sender=self, dispatch_uid="casework_fts_repair")
