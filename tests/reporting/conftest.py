import datetime as dt

import pytest
from django.utils import timezone

from ipps.core.models import Notification
from ipps.ledger.services import ledger_record
from ipps.reporting import services
from ipps.reporting.models import MonthlyReport, ReportingRule


def previous_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def month() -> dt.date:
    """Last month: its reports can be submitted today and (with the rules below) edited."""
    return previous_month()


@pytest.fixture
def rules(db):
    for kind in ("workstation", "district_centre", "municipal_centre"):
        ReportingRule.objects.create(unit_kind=kind, due_day=5, expiry_days=60, reminder_days=3)


@pytest.fixture
def reports(network, rules, month) -> dict[str, MonthlyReport]:
    """Last month's reports of the test network, by unit code."""
    services.reports_open(month=month)
    return {
        r.unit.code: r for r in MonthlyReport.objects.filter(month=month).select_related("unit")
    }


def act(network, unit, date, enterprise=None, *, kind="query_answered", quantity=1):
    source = Notification.objects.create(user=network.admin, kind="test", text="source")
    ledger_record(
        source=source, kind=kind, unit=unit, date=date, enterprise=enterprise,
        ip_type="patent", chain_stage="creation", channel="phone", quantity=quantity,
    )  # fmt: skip
    return source
