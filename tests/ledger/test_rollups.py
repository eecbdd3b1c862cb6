"""The rollups equal the ledger rows, whatever sequence of writes, reversals and rebuilds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipps.ledger import rollups
from ipps.ledger.models import (
    EnterpriseMonth,
    LedgerMonthly,
    LedgerRollup,
    ServiceRecord,
    SubtreeEnterpriseMonth,
    SubtreeEnterpriseYear,
    SubtreeRollup,
)
from ipps.ledger.services import ledger_record, ledger_reverse

# Sources: any saved model will do; the network fixture's enterprises stand in for source objects.
steps = st.lists(
    st.tuples(
        st.sampled_from(["record", "reverse", "rebuild"]),
        st.integers(0, 5),  # which source
        st.sampled_from(["query_answered", "case_assisted"]),
        st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
        st.integers(0, 2),  # which unit
        st.integers(1, 3),  # quantity
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_rollups_equal_the_rows_after_any_sequence(network, sequence):
    ServiceRecord.objects.all()._raw_delete(ServiceRecord.objects.db)  # fresh ledger per example
    LedgerRollup.objects.all().delete()
    LedgerMonthly.objects.all().delete()
    EnterpriseMonth.objects.all().delete()
    SubtreeRollup.objects.all().delete()
    SubtreeEnterpriseMonth.objects.all().delete()
    SubtreeEnterpriseYear.objects.all().delete()
    units = [network.ws_zgc, network.ws_shangdi, network.ws_wangjing]
    sources = [
        network.ent_zgc,
        network.ent_shangdi,
        network.ent_wangjing,
        network.city,
        network.haidian,
        network.chaoyang,
    ]
    for action, source, kind, date, unit, quantity in sequence:
        if action == "record":
            ledger_record(
                source=sources[source],
                kind=kind,
                unit=units[unit],
                date=date,
                enterprise=sources[source] if source < 3 else None,
                ip_type="patent",
                chain_stage="creation",
                channel="phone",
                quantity=quantity,
            )
        elif action == "reverse":
            ledger_reverse(source=sources[source], kind=kind)
        else:
            rollups.rebuild()
        assert rollups.verify() == []
    total_rows = sum(ServiceRecord.objects.values_list("quantity", flat=True))
    assert sum(LedgerRollup.objects.values_list("quantity", flat=True)) == total_rows
    assert sum(LedgerMonthly.objects.values_list("quantity", flat=True)) == total_rows
    assert (
        sum(SubtreeRollup.objects.filter(root=network.city).values_list("quantity", flat=True))
        == total_rows
    )


@pytest.mark.django_db
def test_verify_names_a_difference_and_the_command_fails(network, capsys):
    ledger_record(
        source=network.ent_zgc,
        kind="query_answered",
        unit=network.ws_zgc,
        date=dt.date(2026, 3, 31),
        enterprise=network.ent_zgc,
    )
    call_command("ledger", "verify")
    assert "OK" in capsys.readouterr().out
    LedgerRollup.objects.update(quantity=7)
    with pytest.raises(CommandError, match="disagree"):
        call_command("ledger", "verify")
    err = capsys.readouterr().err
    assert "rollup [unit" in err and "month 2026-03" in err and "rollup says (7, 1)" in err
    call_command("ledger", "rebuild")
    LedgerMonthly.objects.update(record_count=9)
    with pytest.raises(CommandError, match="disagree"):
        call_command("ledger", "verify")
    assert "monthly [unit" in capsys.readouterr().err
    call_command("ledger", "rebuild")
    call_command("ledger", "verify")


@pytest.mark.django_db
def test_month_edges_in_shanghai_time(network):
    # The ledger date is the local (Asia/Shanghai) date of the act: month ends stay in their month,
    # and 29 February of a leap year is an ordinary day of February.
    for date in (
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
    ):
        ledger_record(
            source=network.ent_zgc,
            kind="query_answered",
            unit=network.ws_zgc,
            date=date,
            enterprise=network.ent_zgc,
        )
        ledger_reverse(source=network.ent_zgc, kind="query_answered")
        ledger_record(
            source=network.ent_zgc,
            kind="query_answered",
            unit=network.ws_zgc,
            date=date,
            enterprise=network.ent_zgc,
        )
    months = dict(LedgerRollup.objects.values_list("month", "quantity"))
    # Reversals carry the original's date, so only the first recorded date's month holds the net row.
    assert sum(months.values()) == 1 and rollups.verify() == []


@pytest.mark.django_db
def test_moving_a_unit_moves_its_acts_between_subtrees(network):
    from ipps.ledger import stats
    from ipps.ledger.stats import Period
    from ipps.network.services import unit_update

    n = network
    ledger_record(
        source=n.ent_wangjing, kind="query_answered", unit=n.ws_wangjing,
        date=dt.date(2024, 5, 1), enterprise=n.ent_wangjing, quantity=4,
    )  # fmt: skip
    year = Period.year(2024)

    def queries(unit):
        rows = stats.totals(user=n.admin, unit=unit, period=year, group_by=("ip_type",))
        return sum(r["quantity"] for r in rows)

    assert (queries(n.chaoyang), queries(n.haidian)) == (4, 0)
    unit_update(
        unit=n.ws_wangjing,
        changes={"parent": n.haidian, "district": "110108"},
        acting_user=n.admin,
    )
    assert rollups.verify() == []
    assert (queries(n.chaoyang), queries(n.haidian), queries(n.city)) == (0, 4, 4)
    assert stats.enterprises_served(user=n.admin, unit=n.haidian, period=year) == 1


def test_the_chains_of_some_units_equal_their_entries_in_the_whole_tree(network):
    from django.db import connection

    from tests.factories import UnitFactory

    UnitFactory(kind="partner", code="PT-1", parent=network.city, region="Tianjin")
    whole = rollups.ancestry(connection)
    assert len(whole) >= 5
    for unit in whole:
        assert rollups.ancestry(connection, units=[unit]) == {unit: whole[unit]}
    assert rollups.ancestry(connection, units=list(whole)) == whole
    assert rollups.ancestry(connection, units=[]) == {}
