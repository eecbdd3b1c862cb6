"""Columns that lead a composite index, or that no lookup needs, have no index of their own:
each index is one more page written by every row (an intake writes several events, audit rows and
a notification)."""

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
    ("casework", "requestevent", "request", "reqevent_request_at_idx"),
    ("core", "auditevent", "object_type", "audit_object_idx"),
    ("core", "notification", "user", "notification_user_read_idx"),
]

NOT_INDEXED = [
    ("casework", "requestevent", "at"),
    ("casework", "requestevent", "actor"),
    ("casework", "requestevent", "from_unit"),
    ("casework", "requestevent", "to_unit"),
    ("core", "auditevent", "action"),
    ("core", "auditevent", "object_id"),
]


def _indexes(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: info for name, info in constraints.items() if info["index"]}


def _single_column_indexes(model, column):
    return [name for name, info in _indexes(model).items() if info["columns"] == [column]]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(("app", "model_name", "field", "composite"), LED_BY_A_COMPOSITE)
def test_the_composite_index_serves_the_column(app, model_name, field, composite):
    model = apps.get_model(app, model_name)
    column = model._meta.get_field(field).column
    assert _single_column_indexes(model, column) == []
    assert _indexes(model)[composite]["columns"][0] == column
    if connection.vendor == "sqlite":
        plan = _plan(f"SELECT id FROM {model._meta.db_table} WHERE {column} = 1")  # noqa: S608
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


@pytest.mark.parametrize(("app", "model_name", "field"), NOT_INDEXED)
def test_columns_no_lookup_needs_have_no_index(app, model_name, field):
    model = apps.get_model(app, model_name)
    column = model._meta.get_field(field).column
    assert not [info for info in _indexes(model).values() if column in info["columns"][:1]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_a_timeline_and_an_objects_history_are_read_from_an_index_in_order():
    timeline = _plan("SELECT id FROM casework_requestevent WHERE request_id = 1 ORDER BY at, id")
    assert "reqevent_request_at_idx" in timeline and "TEMP B-TREE" not in timeline, timeline
    history = _plan(
        "SELECT id FROM core_auditevent WHERE object_type = 'casework.servicerequest' "
        "AND object_id = '1' ORDER BY id DESC"
    )
    assert "audit_object_idx" in history, history
