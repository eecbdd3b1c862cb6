"""The audit log in the admin: searchable, and nobody — not even a superuser — may change it."""

from __future__ import annotations

import pytest

from ipps.core.audit import audit_record
from ipps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_admin_lists_and_searches(network, login_as):
    audit_record(action="update", actor_name="alice", object_repr="北京望京生物医药有限公司")
    audit_record(action="update", actor_name="bob", object_repr="another thing")
    client = login_as(network.admin)
    page = client.get("/admin/core/auditevent/", {"q": "望京"}).content.decode()
    assert "alice" in page and "bob" not in page


def test_audit_admin_refuses_add_change_and_delete(network, login_as):
    event = audit_record(action="update", actor_name="alice", object_repr="thing")
    client = login_as(network.admin)
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    view = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert view.status_code == 200 and 'name="object_repr"' not in view.content.decode()
    client.post(f"/admin/core/auditevent/{event.pk}/change/", {"object_repr": "forged"})
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        "/admin/core/auditevent/",
        {"action": "delete_selected", "_selected_action": [str(event.pk)]},
    )
    assert response.status_code in (200, 302)
    event.refresh_from_db()
    assert event.object_repr == "thing"
    assert AuditEvent.objects.filter(pk=event.pk).exists()
