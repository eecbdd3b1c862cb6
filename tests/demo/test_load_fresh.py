"""`ipps demo` on an empty test database: what `--if-empty` loads, and the same data twice. Apart
from tests/demo/test_load.py, whose tests share one load of the demo."""

from __future__ import annotations

from django.db import transaction

from ipps.enterprises.models import Enterprise
from ipps.network.models import ServiceUnit
from tests.demo.test_load import N, run_demo


def test_if_empty_loads_an_empty_database(db):
    output = run_demo("--if-empty")
    assert ServiceUnit.objects.count() == 111
    assert "Demo network loaded" in output
    assert "Demo-ipps-2026" in output and "district-110108" in output


def test_the_same_seed_gives_the_same_data_twice(db):
    """Two fresh loads (inside savepoints that are rolled back) write the same enterprises."""
    snapshots = []
    for _run in range(2):
        with transaction.atomic():
            run_demo()
            snapshots.append(
                sorted(Enterprise.objects.values_list("uscc", "name", "workstation__code"))
            )
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]) == N
