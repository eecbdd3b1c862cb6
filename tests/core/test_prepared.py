"""Prepared querysets: compiled once, run with new values, rows as the queryset would give them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ipps.core.prepared import Prepared, PreparedQueryError
from ipps.network.models import Membership, ServiceUnit


def test_model_rows_equal_the_querysets_with_related_objects(network):
    built = []

    def build(user_id):
        built.append(user_id)
        return Membership.objects.select_related("unit", "user").filter(user_id=user_id)

    prepared = Prepared(build)
    for user in (network.liaison_zgc, network.haidian_officer, network.city_officer):
        expected = list(build(user.pk).order_by())
        got = prepared.all(user_id=user.pk)
        assert [(m.pk, m.unit.code, m.user.username, m.role) for m in got] == [
            (m.pk, m.unit.code, m.user.username, m.role) for m in expected
        ]
    # Compiled twice (to check it is stable), then only run.
    assert len([b for b in built if b < 0]) == 2
    with CaptureQueriesContext(connection) as queries:
        memberships = prepared.all(user_id=network.liaison_zgc.pk)
        assert memberships[0].unit.code == "WS-110108-001"  # no query: selected with it
    assert len(queries) == 1


def test_values_tuples_flat_and_annotations(network):
    ws = network.ws_zgc
    by_code = Prepared(lambda code: ServiceUnit.objects.filter(code=code).values("id", "kind"))
    assert by_code.all(code="WS-110108-001") == [{"id": ws.pk, "kind": "workstation"}]
    assert by_code.all(code="nope") == []
    pairs = Prepared(
        lambda parent: (
            ServiceUnit.objects.filter(parent_id=parent)
            .values_list("code", "kind")
            .order_by("code")
        )
    )
    assert pairs.all(parent=network.haidian.pk) == [
        ("WS-110108-001", "workstation"),
        ("WS-110108-002", "workstation"),
    ]
    flat = Prepared(
        lambda ids: (
            ServiceUnit.objects.filter(pk__in=ids).values_list("code", flat=True).order_by("code")
        )
    )
    assert flat.all(ids=[network.ws_zgc.pk, network.city.pk]) == ["BJ", "WS-110108-001"]
    assert flat.all(ids=[network.ws_wangjing.pk]) == ["WS-110105-001"]
    assert flat.all(ids=[]) == []
    counted = Prepared(
        lambda pk: ServiceUnit.objects.filter(pk=pk).annotate(
            staff=Count("memberships", filter=Q(memberships__role="liaison"))
        )
    )
    assert counted.get(pk=ws.pk).staff == 1 and counted.get(pk=network.city.pk).staff == 0
    # Datetimes come back converted, as from the queryset.
    created = Prepared(
        lambda pk: ServiceUnit.objects.filter(pk=pk).values_list("created_at", flat=True)
    )
    assert created.get(pk=ws.pk) == ServiceUnit.objects.get(pk=ws.pk).created_at


def test_none_and_booleans_are_part_of_the_shape(network):
    by_parent = Prepared(
        lambda parent: ServiceUnit.objects.filter(parent_id=parent).values_list("code", flat=True)
    )
    assert by_parent.all(parent=None) == ["BJ"]
    assert sorted(by_parent.all(parent=network.city.pk)) == ["DC-110105", "DC-110108"]


def test_get_raises_the_models_errors(network):
    prepared = Prepared(lambda kind: ServiceUnit.objects.filter(kind=kind))
    assert prepared.get(kind="municipal_centre").code == "BJ"
    with pytest.raises(ServiceUnit.DoesNotExist):
        prepared.get(kind="partner")
    with pytest.raises(ServiceUnit.MultipleObjectsReturned):
        prepared.get(kind="workstation")
    assert prepared.first(kind="partner") is None


def test_a_builder_that_reads_the_time_is_refused(network):
    prepared = Prepared(
        lambda kind: ServiceUnit.objects.filter(kind=kind, created_at__lte=timezone.now())
    )
    with pytest.raises(PreparedQueryError, match="frozen"):
        prepared.all(kind="workstation")


def test_values_that_cannot_be_prepared_are_refused(network):
    prepared = Prepared(lambda ids: ServiceUnit.objects.filter(code__in=ids))
    with pytest.raises(PreparedQueryError):
        prepared.all(ids=["BJ"])
    unused = Prepared(lambda code: ServiceUnit.objects.filter(kind="workstation"))
    with pytest.raises(PreparedQueryError, match="not found"):
        unused.all(code="BJ")


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_insert_writes_what_save_writes(network):
    from ipps.core.models import AuditEvent, Notification
    from ipps.core.prepared import insert

    user = network.liaison_zgc
    saved = Notification(user=user, kind="assigned", text="请处理 SR-2026-000001", link="/x/")
    saved.save()
    inserted = insert(
        Notification(user=user, kind="assigned", text="请处理 SR-2026-000001", link="/x/")
    )
    assert inserted.pk is not None and inserted.pk != saved.pk and not inserted._state.adding
    a, b = _row(Notification, saved.pk), _row(Notification, inserted.pk)
    assert {k: v for k, v in a.items() if k not in ("id", "at")} == {
        k: v for k, v in b.items() if k not in ("id", "at")
    }
    assert b["at"] is not None
    # JSON, datetimes and null foreign keys go through each field's own conversion.
    event = insert(
        AuditEvent(action="create", actor=None, object_type="x", changes={"a": [1, "二"]}, hash="h")
    )
    assert AuditEvent.objects.get(pk=event.pk).changes == {"a": [1, "二"]}


def test_update_writes_the_named_fields_only(network):
    from django.db import DatabaseError

    from ipps.core.prepared import update

    unit = ServiceUnit.objects.get(pk=network.ws_zgc.pk)
    stamp = unit.updated_at
    unit.name_zh = "新名称"
    unit.host_park = "不会写入"
    update(unit, ["name_zh", "updated_at"])
    fresh = ServiceUnit.objects.get(pk=unit.pk)
    assert fresh.name_zh == "新名称" and fresh.host_park == "中关村软件园"
    assert fresh.updated_at > stamp
    gone = ServiceUnit(pk=999_999, name_zh="无")
    with pytest.raises(DatabaseError):
        update(gone, ["name_zh"])


# Statements run straight on the DB-API connection (SQLite, nobody recording queries) ----------------


def test_statements_outside_a_query_log_raise_djangos_errors(network):
    from django.db import IntegrityError, transaction

    from ipps.core.prepared import execute, fetch_all

    assert not connection.queries_logged
    code = network.ws_zgc.code
    assert fetch_all("SELECT code FROM network_serviceunit WHERE code = %s", [code]) == [(code,)]
    with pytest.raises(IntegrityError), transaction.atomic():
        execute("UPDATE network_serviceunit SET code = %s WHERE id = %s", [code, network.city.pk])
    assert ServiceUnit.objects.get(pk=network.city.pk).code == "BJ"


def test_a_transaction_that_must_roll_back_refuses_further_statements(network):
    from django.db import IntegrityError, transaction
    from django.db.transaction import TransactionManagementError

    from ipps.core.prepared import execute, fetch_all

    code = network.ws_zgc.code
    with transaction.atomic():
        try:
            with transaction.atomic(savepoint=False):
                execute(
                    "UPDATE network_serviceunit SET code = %s WHERE id = %s",
                    [code, network.city.pk],
                )
        except IntegrityError:
            pass
        with pytest.raises(TransactionManagementError):
            fetch_all("SELECT 1")
        transaction.set_rollback(True)


def test_statements_are_counted_while_queries_are_recorded(network):
    from ipps.core.prepared import execute_many, fetch_all

    with CaptureQueriesContext(connection) as queries:
        fetch_all("SELECT code FROM network_serviceunit WHERE id = %s", [network.city.pk])
        execute_many("UPDATE network_serviceunit SET name_en = name_en WHERE id = %s", [[1], [2]])
    assert len(queries) == 2


def test_statements_are_logged_with_debug_on(network, settings):
    """With DEBUG, Django keeps every statement in `connection.queries`: ours too, whichever
    path (a prepared query, an insert) ran it."""
    from ipps.core.models import Notification
    from ipps.core.prepared import fetch_all, insert

    settings.DEBUG = True
    connection.queries_log.clear()
    fetch_all("SELECT code FROM network_serviceunit WHERE id = %s", [network.city.pk])
    Prepared(lambda pk: ServiceUnit.objects.filter(pk=pk)).get(pk=network.city.pk)
    insert(Notification(user=network.liaison_zgc, kind="test", text="P-LOG"))
    logged = [q["sql"] for q in connection.queries]
    assert len(logged) == 3, logged
    assert "P-LOG" in logged[-1]


def test_values_are_converted_for_the_database_as_django_converts_them(db):
    """Every column of every model: the insert's shortcuts give what `get_db_prep_save` gives."""
    import datetime as dt
    import warnings
    from zoneinfo import ZoneInfo

    from django.apps import apps
    from django.core.exceptions import ValidationError

    from ipps.core.choices import IPType
    from ipps.core.prepared import _value_converter

    moment = dt.datetime(2026, 10, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    samples = [
        None,
        "",
        "专利",
        IPType.PATENT,
        7,
        -3,
        True,
        False,
        moment,
        moment.astimezone(dt.UTC),
        moment.replace(microsecond=0).astimezone(dt.UTC),
        dt.date(2026, 10, 10),
        {"a": [1, "商标"]},
        [1, "二", {"b": None}],
    ]
    checked = 0
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            convert = _value_converter(model_field, connection)
            for value in samples:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        expected = model_field.get_db_prep_save(value, connection)
                    except (TypeError, ValueError, AttributeError, ValidationError):
                        continue  # not a value of this column
                    got = convert(value)
                # psycopg's Jsonb wraps the value and has no equality of its own.
                same = getattr(got, "obj", got) == getattr(expected, "obj", expected)
                assert same and type(got) is type(expected), (model, model_field, value)
                checked += 1
    assert checked > 1000


def _fields(obj) -> dict:
    """What an instance holds: its values by attribute name (related objects are in its state)."""
    return {name: value for name, value in vars(obj).items() if name != "_state"}


def test_rows_are_the_instances_django_makes(network, make_request):
    """Instances made without `__init__` hold what `from_db` gives: every value, the state, the
    related objects selected with them (and none that were not)."""
    from ipps.casework.models import ServiceRequest

    req = make_request(channel="phone", enterprise=network.ent_zgc, acting_user=network.liaison_zgc)
    build = lambda pk: ServiceRequest.objects.select_related(  # noqa: E731
        "enterprise", "handling_unit__parent", "assignee"
    ).filter(pk=pk)
    (got,) = Prepared(build).all(pk=req.pk)
    expected = build(req.pk).get()
    assert type(got) is ServiceRequest and _fields(got) == _fields(expected)
    assert (got._state.adding, got._state.db) == (False, "default")
    for name in ("enterprise", "handling_unit", "assignee"):
        assert _fields(getattr(got, name)) == _fields(getattr(expected, name))
        assert not getattr(got, name)._state.adding
    assert _fields(got.handling_unit.parent) == _fields(expected.handling_unit.parent)
    with CaptureQueriesContext(connection) as queries:
        got.enterprise, got.handling_unit.parent, got.assignee  # noqa: B018 - selected: no query
        assert got.originating_unit.pk == req.handling_unit_id  # not selected: read
    assert len(queries) == 1
    got.subject = "改了"
    got.save(update_fields=["subject"])
    assert ServiceRequest.objects.get(pk=req.pk).subject == "改了"


def test_rows_go_through_init_when_someone_listens(network):
    """A receiver of `post_init` (connected after the query was compiled) sees every instance."""
    from django.db.models.signals import post_init

    prepared = Prepared(lambda code: ServiceUnit.objects.filter(code=code))
    assert prepared.get(code="WS-110108-001").code == "WS-110108-001"
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.code)

    post_init.connect(receiver, sender=ServiceUnit)
    try:
        assert prepared.get(code="WS-110108-001").code == "WS-110108-001"
    finally:
        post_init.disconnect(receiver, sender=ServiceUnit)
    assert seen == ["WS-110108-001"]
    deferred = Prepared(lambda code: ServiceUnit.objects.only("code").filter(code=code))
    unit = deferred.get(code="WS-110108-001")
    assert unit.get_deferred_fields() and unit.name_zh == network.ws_zgc.name_zh


def test_build_makes_what_the_model_makes(network):
    from ipps.casework.models import RequestEvent, ServiceRequest
    from ipps.core.models import Notification
    from ipps.core.prepared import build

    user, unit = network.liaison_zgc, network.ws_zgc
    for model, values in [
        (Notification, {"user": user, "kind": "assigned", "text": "请处理"}),
        (RequestEvent, {"request_id": 7, "kind": "comment", "actor_id": None, "body": "好"}),
        (ServiceRequest, {"handling_unit": unit, "originating_unit_id": unit.pk, "subject": "问"}),
    ]:
        got, expected = build(model, **values), model(**values)
        assert type(got) is model and got._state.adding
        assert got._state.db == expected._state.db
        changing = {"at", "created_at", "updated_at"}  # callable defaults: now()
        assert {k: v for k, v in _fields(got).items() if k not in changing} == {
            k: v for k, v in _fields(expected).items() if k not in changing
        }
    # Related objects are assigned through Django's descriptor: cached, and checked.
    note = build(Notification, user=user, kind="assigned", text="x")
    assert note.user_id == user.pk and note.user is user
    with pytest.raises(ValueError, match='must be a "User" instance'):
        build(Notification, user=unit, kind="assigned", text="x")
    with pytest.raises(TypeError, match="unexpected keyword"):
        build(Notification, colour="red")
    # Callable defaults are called for each instance, not shared.
    a, b = build(RequestEvent, request_id=1, kind="x"), build(RequestEvent, request_id=1, kind="x")
    assert a.data == {} and a.data is not b.data
    # Written, it reads back as saved.
    insert_note = build(Notification, user=user, kind="assigned", text="写入", link="/y/")
    insert_note.save()
    assert Notification.objects.get(pk=insert_note.pk).text == "写入"
