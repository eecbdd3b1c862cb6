import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ipps.reporting import services


@db_periodic_task(crontab(minute="5", hour="0"))
def reports_open_task():
    """Open this month's reports (and last month's, if a unit still owes one) every night."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return services.reports_open(month=last_month) + services.reports_open(month=today)


@db_periodic_task(crontab(minute="0", hour="8"))
def reports_remind_task():
    """Remind units whose report is due soon, every morning."""
    return services.reports_remind()
