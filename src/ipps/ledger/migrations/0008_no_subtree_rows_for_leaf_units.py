"""Workstations and partners keep no subtree rows: their subtree is the unit alone, which the
per-unit tables hold (ipps.ledger.rollups.LEAF_KINDS); the statistics read those instead."""

from django.db import migrations

LEAF_KINDS = ("workstation", "partner")


def drop_leaf_rows(apps, schema_editor):
    kinds = ", ".join(f"'{k}'" for k in LEAF_KINDS)
    leaves = f"SELECT id FROM network_serviceunit WHERE kind IN ({kinds})"  # noqa: S608
    with schema_editor.connection.cursor() as cursor:
        for table in (
            "ledger_subtreerollup",
            "ledger_subtreeenterprisemonth",
            "ledger_subtreeenterpriseyear",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE root_id IN ({leaves})")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_rollups_without_redundant_fk_indexes"),
        ("network", "0002_unit_calendar_weekend_fallback"),
    ]

    # Going back: run `ipps ledger rebuild` with the older code to write the leaf rows again.
    operations = [migrations.RunPython(drop_leaf_rows, migrations.RunPython.noop)]
