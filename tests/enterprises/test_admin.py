"""The Django admin lists the enterprise models, audits its saves and never deletes."""

from __future__ import annotations

from ipps.core.models import AuditEvent


def test_changelists_load(network, login_as, asset_zgc, listed_zgc):
    client = login_as(network.admin)
    for name in ("enterprise", "prioritylisting", "ipasset"):
        response = client.get(f"/admin/enterprises/{name}/", {"q": "北京"})
        assert response.status_code == 200, name


def test_admin_save_is_audited(network, login_as):
    client = login_as(network.admin)
    ent = network.ent_zgc
    page = client.get(f"/admin/enterprises/enterprise/{ent.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"park": "中关村软件园", "designations": "[]", "workstation": ent.workstation_id})
    response = client.post(f"/admin/enterprises/enterprise/{ent.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    event = AuditEvent.objects.get(action="update", object_id=str(ent.pk))
    assert event.changes["after"] == {"park": "中关村软件园"}
    assert event.changes["via"] == "admin"


def test_admin_cannot_delete(network, login_as):
    client = login_as(network.admin)
    response = client.get(f"/admin/enterprises/enterprise/{network.ent_zgc.pk}/delete/")
    assert response.status_code == 403
