"""Migration ledger/0009 keys the rollup tables by their cells and keeps every sum, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ipps.ledger import rollups
from ipps.ledger.models import LedgerRollup, SubtreeEnterpriseYear, SubtreeRollup
from ipps.ledger.services import ledger_record

BEFORE = [("ledger", "0008_no_subtree_rows_for_leaf_units")]
AFTER = [("ledger", "0009_rollups_keyed_by_their_cells")]
TABLES = (
    "ledger_ledgerrollup",
    "ledger_ledgermonthly",
    "ledger_enterprisemonth",
    "ledger_subtreerollup",
    "ledger_subtreeenterprisemonth",
    "ledger_subtreeenterpriseyear",
)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def contents() -> dict[str, list[tuple]]:
    """Every rollup table's rows (without the old id column), sorted."""
    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, table)
                if c.name != "id"
            ]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            result[table] = sorted(map(tuple, cursor.fetchall()), key=repr)
    return result


@pytest.mark.django_db(transaction=True)
def test_the_sums_survive_the_migration_both_ways(network):
    for day, source in (
        (dt.date(2026, 3, 2), network.ws_zgc),
        (dt.date(2026, 4, 1), network.haidian),
    ):
        ledger_record(
            source=source, kind="query_answered", unit=source, date=day,
            enterprise=network.ent_zgc, ip_type="patent", channel="phone", quantity=3,
        )  # fmt: skip
    written = contents()
    assert all(written[t] for t in TABLES)
    try:
        migrate(BEFORE)
        assert contents() == written
        with connection.cursor() as cursor:  # the old tables have their ids back
            cursor.execute("SELECT COUNT(id) FROM ledger_ledgerrollup")
            assert cursor.fetchone()[0] == len(written["ledger_ledgerrollup"])
        migrate(AFTER)
        assert contents() == written
    finally:
        call_command("migrate", verbosity=0)
    assert rollups.verify() == []
    cell = LedgerRollup.objects.get(unit=network.ws_zgc, month=dt.date(2026, 3, 1))
    assert cell.pk == (
        network.ws_zgc.pk,
        dt.date(2026, 3, 1),
        "query_answered",
        "patent",
        "",
        "phone",
    )
    assert SubtreeRollup.objects.filter(root=network.city).count() == 2
    assert SubtreeEnterpriseYear.objects.get(root=network.city).quantity == 6
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
                assert cursor.fetchone()[0].endswith("WITHOUT ROWID"), table
