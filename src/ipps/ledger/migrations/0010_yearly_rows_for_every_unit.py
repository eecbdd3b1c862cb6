"""The yearly enterprise table keeps rows for workstations and partners too (migration 0008 had
left them out with the monthly subtree tables): a whole year of one workstation's enterprises is
then a few hundred rows instead of every enterprise-month of it (ipps.ledger.rollups.year_roots)."""

from django.db import migrations

LEAF_KINDS = ("workstation", "partner")
_LEAVES = "SELECT id FROM network_serviceunit WHERE kind IN ({})".format(
    ", ".join(f"'{k}'" for k in LEAF_KINDS)
)
_YEAR_OF = {
    "postgresql": "CAST(EXTRACT(YEAR FROM month) AS integer)",
    "sqlite": "CAST(strftime('%Y', month) AS integer)",
}


def add_leaf_years(apps, schema_editor):
    connection = schema_editor.connection
    year = _YEAR_OF[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_subtreeenterpriseyear (root_id, year, enterprise_id, quantity) "  # noqa: S608
            f"SELECT unit_id, {year}, enterprise_id, SUM(quantity) FROM ledger_enterprisemonth "
            f"WHERE unit_id IN ({_LEAVES}) GROUP BY unit_id, {year}, enterprise_id"
        )


def drop_leaf_years(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM ledger_subtreeenterpriseyear WHERE root_id IN ({_LEAVES})"  # noqa: S608
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_rollups_keyed_by_their_cells")]

    operations = [migrations.RunPython(add_leaf_years, drop_leaf_years)]
