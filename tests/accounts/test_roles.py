"""Granting and revoking roles is audited and takes effect at once."""

from __future__ import annotations

import pytest

from ipps.accounts.services import membership_grant, membership_revoke
from ipps.core.models import AuditEvent
from ipps.enterprises.models import Enterprise
from ipps.network.models import Membership

pytestmark = pytest.mark.django_db


def test_grant_is_audited_and_widens_scope(network):
    user = network.liaison_zgc
    assert not Enterprise.objects.visible_to(user).filter(pk=network.ent_wangjing.pk).exists()
    membership = membership_grant(
        user=user, unit=network.chaoyang, role="officer", acting_user=network.admin
    )
    event = AuditEvent.objects.filter(action="role_granted").latest("id")
    assert event.actor_id == network.admin.pk
    assert event.object_type == "network.membership" and event.object_id == str(membership.pk)
    assert event.changes["after"] == {
        "user": user.pk,
        "unit": network.chaoyang.pk,
        "role": "officer",
    }
    assert Enterprise.objects.visible_to(user).filter(pk=network.ent_wangjing.pk).exists()


def test_granting_the_same_role_twice_changes_nothing(network):
    count = AuditEvent.objects.count()
    membership_grant(
        user=network.liaison_zgc, unit=network.ws_zgc, role="liaison", acting_user=network.admin
    )
    assert AuditEvent.objects.count() == count
    assert Membership.objects.filter(user=network.liaison_zgc).count() == 1


def test_revoke_is_audited_and_narrows_scope(network):
    user = network.liaison_zgc
    membership = Membership.objects.get(user=user, unit=network.ws_zgc)
    assert Enterprise.objects.visible_to(user).exists()
    membership_revoke(membership=membership, acting_user=network.admin)
    event = AuditEvent.objects.filter(action="role_revoked").latest("id")
    assert event.actor_id == network.admin.pk
    assert event.changes["before"] == {
        "user": user.pk,
        "unit": network.ws_zgc.pk,
        "role": "liaison",
    }
    assert not Membership.objects.filter(pk=membership.pk).exists()
    fresh = type(user).objects.get(pk=user.pk)  # scope is cached per user object, i.e. per request
    assert not Enterprise.objects.visible_to(fresh).exists()
