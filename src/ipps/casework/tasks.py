from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ipps.casework import services


@db_periodic_task(crontab(minute="*/5"))
def sla_scan_task():
    """Warn before due times and mark breaches."""
    return services.sla_scan()


@db_task()
def sla_recompute_task(unit_ids=None):
    """Recompute open requests' due times after a service-level policy or the calendar changed."""
    return services.sla_recompute(unit_ids=unit_ids)
