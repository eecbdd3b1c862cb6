from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_search_index(sender, using="default", **kwargs):
    from ipps.core.search import sqlite_fts_repair

    sqlite_fts_repair(using)


def _recompute_due_times(sender, unit_ids=None, **kwargs):
    """The working calendar changed (sent after commit): due times move, missing ones appear."""
    from ipps.casework.tasks import sla_recompute_task

    sla_recompute_task(unit_ids=unit_ids)


class CaseworkConfig(AppConfig):
    name = "ipps.casework"
    verbose_name = _("Casework")

    def ready(self):
        from ipps.core.calendar import working_calendar_changed

        post_migrate.connect(_repair_search_index, sender=self, dispatch_uid="casework_fts_repair")
        working_calendar_changed.connect(
            _recompute_due_times, dispatch_uid="casework_recompute_due_times"
        )
