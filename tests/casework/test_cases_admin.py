"""The casework administration: saving a service-level policy recomputes due times."""

from __future__ import annotations

from django.urls import reverse

from ipps.casework.models import SlaPolicy
from ipps.core.models import AuditEvent


def test_saving_a_policy_in_the_admin_recomputes_and_audits(
    network, login_as, make_request, django_capture_on_commit_callbacks
):
    request = make_request()
    before = request.resolution_due
    client = login_as(network.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:casework_slapolicy_add"),
            {
                "name": "工作站十日",
                "unit_kind": "workstation",
                "priority": "",
                "category": "",
                "first_response_hours": "7",
                "resolution_days": "10",
                "warn_before_hours": "2",
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SlaPolicy.objects.get(name="工作站十日")
    request.refresh_from_db()
    assert request.sla_policy == policy and request.resolution_due > before
    assert AuditEvent.objects.filter(object_type="casework.slapolicy", action="create").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:casework_slapolicy_delete", args=[policy.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.sla_policy is None and request.resolution_due == before
    assert AuditEvent.objects.filter(object_type="casework.slapolicy", action="delete").exists()
