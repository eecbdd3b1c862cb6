"""Migration operations of our own."""

from __future__ import annotations

from django.db import migrations


def drop_column_index(app_label: str, model_name: str, field_name: str) -> migrations.RunPython:
    """Drop the single-column index of a field that now has `db_index=False` — because an index in
    `Meta.indexes` starts with its column (and so serves its lookups too), or because no lookup
    needs it; reversed, put it back. For use beside the `AlterField` in `SeparateDatabaseAndState`: on SQLite, Django
    alters a field by copying its whole table, which for a large table takes long, and drops the
    triggers on it (full-text search)."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        column = model._meta.get_field(field_name).column
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            single = info["columns"] == [column] and info["index"]
            if single and not info["unique"] and not info["primary_key"]:
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field(field_name)])
        )

    return migrations.RunPython(forward, backward)
