"""Foreign keys whose column leads a composite index have no index of their own."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from ipps.core.schema import drop_column_index

pytestmark = pytest.mark.django_db

LED_BY_A_COMPOSITE = [
    ("casework", "servicerequest", "assignee", "req_assignee_status_idx"),
    ("casework", "servicerequest", "enterprise", "req_enterprise_idx"),
    ("casework", "servicerequest", "handling_unit", "req_unit_status_idx"),
    ("ledger", "servicerecord", "unit", "ledger_unit_date_idx"),
]


def _indexes(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: info for name, info in constraints.items() if info["index"]}


def _single_column_indexes(model, column):
    return [name for name, info in _indexes(model).items() if info["columns"] == [column]]


@pytest.mark.parametrize(("app", "model_name", "field", "composite"), LED_BY_A_COMPOSITE)
def test_the_composite_index_serves_the_column(app, model_name, field, composite):
    model = apps.get_model(app, model_name)
    column = model._meta.get_field(field).column
    assert _single_column_indexes(model, column) == []
    assert _indexes(model)[composite]["columns"][0] == column
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN QUERY PLAN SELECT id FROM {model._meta.db_table} WHERE {column} = 1"  # noqa: S608
            )
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert composite in plan, plan


def test_the_index_comes_back_when_the_migration_is_reversed():
    model = apps.get_model("casework", "servicerequest")
    operation = drop_column_index("casework", "servicerequest", "assignee")
    editor = connection.schema_editor()
    operation.reverse_code(apps, editor)
    assert len(_single_column_indexes(model, "assignee_id")) == 1
    operation.code(apps, editor)
    assert _single_column_indexes(model, "assignee_id") == []
    assert "req_assignee_status_idx" in _indexes(model)
