"""Every write about units leaves an audit row with what changed."""

from __future__ import annotations

import datetime

from ipps.core.models import AuditEvent
from ipps.network.services import unit_create, unit_set_status, unit_update


def last_row():
    return AuditEvent.objects.order_by("-id").first()


def test_update_writes_before_and_after_of_the_changed_fields_only(network):
    unit = unit_update(
        unit=network.ws_zgc,
        changes={"phone": "010-62345678", "name_zh": network.ws_zgc.name_zh},
        acting_user=network.admin,
    )
    row = last_row()
    assert row.action == "update"
    assert row.object_type == "network.serviceunit" and row.object_id == str(unit.pk)
    assert row.actor_id == network.admin.pk
    assert row.changes == {"before": {"phone": ""}, "after": {"phone": "010-62345678"}}


def test_an_update_that_changes_nothing_writes_nothing(network):
    before = AuditEvent.objects.count()
    unit_update(
        unit=network.ws_zgc, changes={"name_zh": network.ws_zgc.name_zh}, acting_user=network.admin
    )
    assert AuditEvent.objects.count() == before


def test_create_writes_the_new_unit(network):
    unit = unit_create(
        data={
            "kind": "workstation",
            "code": "WS-110108-003",
            "name_zh": "清华科技园知识产权工作站",
            "district": "110108",
            "parent_id": network.haidian.pk,
            "host_park": " 清华科技园 ",
        },
        acting_user=network.admin,
    )
    assert unit.host_park == "清华科技园"
    assert unit.created_by == network.admin
    row = last_row()
    assert row.action == "create" and row.object_id == str(unit.pk)
    assert row.changes["after"]["code"] == "WS-110108-003"
    assert row.changes["after"]["parent"] == network.haidian.pk


def test_a_status_change_is_audited(network):
    unit_set_status(
        unit=network.ws_shangdi,
        status="suspended",
        on_date=datetime.date(2026, 5, 4),
        acting_user=network.city_officer,
    )
    row = last_row()
    assert row.changes["before"]["status"] == "active"
    assert row.changes["after"] == {"status": "suspended", "status_changed_on": "2026-05-04"}


def test_status_through_update_is_dated_by_status_on(network):
    unit_update(
        unit=network.ws_shangdi,
        changes={"status": "suspended", "status_on": datetime.date(2026, 2, 3)},
        acting_user=network.admin,
    )
    network.ws_shangdi.refresh_from_db()
    assert network.ws_shangdi.status_changed_on == datetime.date(2026, 2, 3)
    assert last_row().changes["after"]["status"] == "suspended"


def test_the_calendar_setting_is_audited_and_announced(network, django_capture_on_commit_callbacks):
    from ipps.core.calendar import working_calendar_changed

    heard = []

    def listen(sender, unit_ids=None, **kwargs):
        heard.append(unit_ids)

    working_calendar_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            unit_update(
                unit=network.ws_zgc,
                changes={"calendar_weekend_fallback": True},
                acting_user=network.admin,
            )
        with django_capture_on_commit_callbacks(execute=True):
            unit_update(unit=network.ws_zgc, changes={"phone": "010-1"}, acting_user=network.admin)
    finally:
        working_calendar_changed.disconnect(listen)
    assert heard == [[network.ws_zgc.pk]]  # only the calendar setting moves due times
    row = AuditEvent.objects.filter(changes__after__has_key="calendar_weekend_fallback").get()
    assert row.changes["after"] == {"calendar_weekend_fallback": True}
