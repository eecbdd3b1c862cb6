"""The rollup tables are keyed by their cells: a composite primary key instead of an id plus a
unique constraint, and on SQLite WITHOUT ROWID, so the table is itself the index of its key.

Each cell was stored three or four times (rowid table, unique index, covering indexes); now once,
plus the indexes by enterprise. The month-first covering indexes of the per-unit tables go too:
they date from before the subtree tables, and every read of those tables now names its units. The sums are kept: each table is copied aside,
created anew and filled back.
"""

from django.db import migrations, models

MODELS = (
    "LedgerRollup",
    "LedgerMonthly",
    "EnterpriseMonth",
    "SubtreeRollup",
    "SubtreeEnterpriseMonth",
    "SubtreeEnterpriseYear",
)


def _columns(model) -> str:
    """The columns both definitions share: all but the old auto-created id."""
    return ", ".join(
        f'"{f.column}"' for f in model._meta.local_concrete_fields if not f.auto_created
    )


def set_aside(apps, schema_editor):
    """Copy each table's rows aside (a plain table, no constraints) and drop the table."""
    with schema_editor.connection.cursor() as cursor:
        for name in MODELS:
            model = apps.get_model("ledger", name)
            table, columns = model._meta.db_table, _columns(model)
            cursor.execute(f'CREATE TABLE "{table}_kept" AS SELECT {columns} FROM "{table}"')  # noqa: S608
            cursor.execute(f'DROP TABLE "{table}"')


def _without_rowid(schema_editor, table: str) -> None:
    """Re-create the (empty) table WITHOUT ROWID, with the indexes it has so far."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table]
        )
        rows = cursor.fetchall()
        create = next(sql for kind, sql in rows if kind == "table")
        cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute(create + " WITHOUT ROWID")
        for kind, sql in rows:
            if kind == "index":
                cursor.execute(sql)


def create_and_fill(apps, schema_editor):
    """Create each table as the state defines it (keyed by its cells: WITHOUT ROWID on SQLite)
    and fill it back from the rows set aside."""
    connection = schema_editor.connection
    for name in MODELS:
        model = apps.get_model("ledger", name)
        table, columns = model._meta.db_table, _columns(model)
        schema_editor.create_model(model)
        if connection.vendor == "sqlite" and isinstance(model._meta.pk, models.CompositePrimaryKey):
            _without_rowid(schema_editor, table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{table}_kept"'  # noqa: S608
            )
            cursor.execute(f'DROP TABLE "{table}_kept"')


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0008_no_subtree_rows_for_leaf_units"),
    ]

    # The tables are set aside under the old definitions, the definitions change (in Django's
    # state only), and the tables are created under the new ones and filled back; backwards the
    # same in reverse (the rows get new ids).
    operations = [
        migrations.RunPython(set_aside, create_and_fill),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Every read of these two names the units, which now lead their keys.
                migrations.RemoveIndex(model_name="enterprisemonth", name="entmonth_cover_idx"),
                migrations.RemoveIndex(model_name="ledgerrollup", name="rollup_cover_idx"),
                migrations.RemoveConstraint(
                    model_name="enterprisemonth",
                    name="enterprise_month_unique",
                ),
                migrations.RemoveConstraint(
                    model_name="ledgermonthly",
                    name="monthly_unique_cell",
                ),
                migrations.RemoveConstraint(
                    model_name="ledgerrollup",
                    name="rollup_unique_cell",
                ),
                migrations.RemoveConstraint(
                    model_name="subtreeenterprisemonth",
                    name="subtree_entmonth_unique",
                ),
                migrations.RemoveConstraint(
                    model_name="subtreeenterpriseyear",
                    name="subtree_entyear_unique",
                ),
                migrations.RemoveConstraint(
                    model_name="subtreerollup",
                    name="subtree_rollup_unique_cell",
                ),
                migrations.RemoveIndex(
                    model_name="subtreeenterprisemonth",
                    name="subtree_entmonth_cover_idx",
                ),
                migrations.RemoveIndex(
                    model_name="subtreeenterpriseyear",
                    name="subtree_entyear_cover_idx",
                ),
                migrations.RemoveIndex(
                    model_name="subtreerollup",
                    name="subtree_rollup_cover_idx",
                ),
                migrations.RemoveField(
                    model_name="enterprisemonth",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="ledgermonthly",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="ledgerrollup",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="subtreeenterprisemonth",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="subtreeenterpriseyear",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="subtreerollup",
                    name="id",
                ),
                migrations.AddField(
                    model_name="enterprisemonth",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "unit",
                        "month",
                        "kind",
                        "enterprise",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="ledgermonthly",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "unit",
                        "month",
                        "kind",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="ledgerrollup",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "unit",
                        "month",
                        "kind",
                        "ip_type",
                        "chain_stage",
                        "channel",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="subtreeenterprisemonth",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "root",
                        "month",
                        "kind",
                        "enterprise",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="subtreeenterpriseyear",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "root",
                        "year",
                        "enterprise",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="subtreerollup",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "root",
                        "month",
                        "kind",
                        "ip_type",
                        "chain_stage",
                        "channel",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_and_fill, set_aside),
    ]
