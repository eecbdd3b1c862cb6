"""`ipps demo` writes ledger history through the bulk import path: counts, mix, once, same rows."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from ipps.demo.ledger import SOURCE_TYPE, ledger_for, load_ledger, plan_ledger
from ipps.enterprises.models import Enterprise
from ipps.ledger import rollups
from ipps.ledger.models import LedgerRollup, ServiceRecord
from tests.demo.conftest import loaded_for_the_module

ROWS = 3000


def run(*args) -> str:
    out = StringIO()
    call_command(
        "demo", "--enterprises", "60", "--requests", "0", "--ledger", str(ROWS), *args, stdout=out
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with loaded_for_the_module(django_db_blocker):
        yield run()


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_history_covers_the_network_from_january_last_year(demo):
    rows = ServiceRecord.objects.filter(source_type=SOURCE_TYPE)
    assert rows.count() == ROWS
    assert f"Ledger history: {ROWS} rows created" in demo
    today = timezone.localdate()
    first, last = min(rows.values_list("date", flat=True)), max(rows.values_list("date", flat=True))
    assert first >= dt.date(today.year - 1, 1, 1) and first < dt.date(today.year - 1, 2, 1)
    assert last <= today
    assert rows.values("unit__kind").distinct().count() == 3  # city, districts, workstations
    ids = set(Enterprise.objects.values_list("id", flat=True))
    assert set(rows.exclude(enterprise=None).values_list("enterprise_id", flat=True)) <= ids


def test_the_mix_follows_the_source(demo):
    per_kind = dict(
        ServiceRecord.objects.filter(source_type=SOURCE_TYPE)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    assert per_kind["query_answered"] > 0.75 * ROWS
    assert per_kind["policy_pushed"] > 5 * per_kind["training_delivered"] > 0
    queries = ServiceRecord.objects.filter(kind="query_answered").aggregate(q=Sum("quantity"))["q"]
    served = (
        ServiceRecord.objects.exclude(enterprise=None).values("enterprise_id").distinct().count()
    )
    assert queries > 20 * served


def test_rollups_equal_the_rows(demo):
    assert rollups.verify() == []
    assert LedgerRollup.objects.aggregate(n=Sum("record_count"))["n"] == ROWS


def test_second_run_adds_nothing(demo):
    before = ServiceRecord.objects.count(), LedgerRollup.objects.aggregate(q=Sum("quantity"))["q"]
    out = run()
    assert "nothing new was created" in out
    after = ServiceRecord.objects.count(), LedgerRollup.objects.aggregate(q=Sum("quantity"))["q"]
    assert before == after
    assert load_ledger(count=10).created == 0


def test_same_seed_same_rows(demo):
    today = dt.date(2026, 3, 15)
    first = list(plan_ledger(seed=7, count=200, today=today))
    assert first == list(plan_ledger(seed=7, count=200, today=today))
    assert first != list(plan_ledger(seed=8, count=200, today=today))


def test_default_size():
    assert ledger_for(3000) >= 150_000
