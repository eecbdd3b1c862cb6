"""Who reaches which units: a role reaches its unit's subtree, and nothing else."""

from __future__ import annotations

from ipps.network.choices import EDITOR_ROLES, Role
from ipps.network.models import ServiceUnit
from ipps.network.scope import clear_cache, roles_of, unit_ids_for
from tests.factories import UserFactory, membership


def test_a_district_officer_reaches_the_district_and_its_workstations(network):
    ids = unit_ids_for(network.haidian_officer)
    assert ids == {network.haidian.pk, network.ws_zgc.pk, network.ws_shangdi.pk}


def test_a_liaison_reaches_only_its_workstation(network):
    assert unit_ids_for(network.liaison_zgc) == {network.ws_zgc.pk}
    assert unit_ids_for(network.liaison_wangjing) == {network.ws_wangjing.pk}


def test_the_municipal_officer_reaches_the_whole_network_and_a_superuser_everything(network):
    assert unit_ids_for(network.city_officer) == set(
        ServiceUnit.objects.values_list("pk", flat=True)
    )
    assert unit_ids_for(network.admin) is None


def test_an_auditor_or_a_portal_user_reaches_no_business_units(network):
    assert unit_ids_for(network.auditor) == frozenset()
    assert unit_ids_for(network.portal_zgc) == frozenset()


def test_a_new_workstation_is_reached_by_the_district_officer(network):
    from ipps.network.services import unit_create

    unit = unit_create(
        data={
            "kind": "workstation",
            "code": "WS-110108-010",
            "name_zh": "新工作站",
            "district": "110108",
            "parent": network.haidian,
        },
        acting_user=network.admin,
    )
    clear_cache(network.haidian_officer)
    assert unit.pk in unit_ids_for(network.haidian_officer)


def test_only_unit_admins_may_change_units_and_only_in_their_subtree(network):
    assert not ServiceUnit.objects.restrict(network.haidian_officer, "change").exists()
    admin = UserFactory(username="haidian-admin")
    membership(admin, network.haidian, "admin")
    changeable = set(ServiceUnit.objects.restrict(admin, "change").values_list("pk", flat=True))
    assert changeable == {network.haidian.pk, network.ws_zgc.pk, network.ws_shangdi.pk}


def test_every_signed_in_user_sees_the_whole_directory(network):
    everything = ServiceUnit.objects.count()
    for user in (network.liaison_zgc, network.portal_zgc, network.auditor):
        assert ServiceUnit.objects.visible_to(user).count() == everything


def test_each_role_reaches_the_subtree_of_its_own_unit(network):
    user = UserFactory(username="two-hats")
    membership(user, network.haidian, Role.OFFICER)
    membership(user, network.ws_wangjing, Role.LIAISON)
    membership(user, network.chaoyang, Role.AUDITOR)
    haidian = {network.haidian.pk, network.ws_zgc.pk, network.ws_shangdi.pk}
    assert unit_ids_for(user, {Role.OFFICER}) == haidian
    assert unit_ids_for(user, {Role.LIAISON}) == {network.ws_wangjing.pk}
    assert unit_ids_for(user) == haidian | {network.ws_wangjing.pk}
    assert unit_ids_for(user, {Role.AUDITOR}) == {network.chaoyang.pk, network.ws_wangjing.pk}
    assert roles_of(user) == {Role.OFFICER, Role.LIAISON, Role.AUDITOR}


def test_a_users_memberships_and_reach_are_read_once_in_one_statement(
    network, django_assert_num_queries
):
    """Every staff request needs them: one statement reads the memberships and the units below
    them (not the whole network's tree), and the answer is kept for the request."""
    clear_cache(network.haidian_officer)
    with django_assert_num_queries(1):
        assert unit_ids_for(network.haidian_officer) == unit_ids_for(
            network.haidian_officer, EDITOR_ROLES
        )
        assert roles_of(network.haidian_officer) == {Role.OFFICER}


def test_a_loop_in_the_tree_does_not_hang_the_scope(network):
    """The tree's shape is enforced on save; a parent link changed behind its back (here a
    district made the child of its own workstation) must not make every request loop."""
    ServiceUnit.objects.filter(pk=network.haidian.pk).update(parent=network.ws_zgc)
    clear_cache(network.haidian_officer)
    assert unit_ids_for(network.haidian_officer) == {
        network.haidian.pk,
        network.ws_zgc.pk,
        network.ws_shangdi.pk,
    }
