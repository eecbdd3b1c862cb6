"""Performance-based funding: hand-computed plans, every rule of the split, and exactness properties."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ipps.assessment.allocation import (
    AllocationError,
    AllocationResult,
    FundingPlanSpec,
    FundingUnit,
    allocate,
)

WS = "workstation"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def plan(budget, *, bases=None, method="proportional", **kwargs) -> FundingPlanSpec:
    return FundingPlanSpec(budget=D(budget), base_by_kind=bases or {}, method=method, **kwargs)


def unit(unit_id, score="0", *, kind=WS, grade=None, deduction="0", eligible=True) -> FundingUnit:
    return FundingUnit(unit_id, kind, D(score), grade, D(deduction), eligible)


def totals(result: AllocationResult) -> dict[int, D]:
    return {allocation.unit_id: allocation.total for allocation in result.units}


# --- hand-computed plans -------------------------------------------------------------------------


def test_proportional_plan_by_hand():
    # Pool 1,000,000 − 3 × 100,000 = 700,000, weights 90 + 80 + 70 = 240:
    # 700,000 × 90/240 = 262,500.00; × 80/240 = 233,333.333…; × 70/240 = 204,166.666…
    # Floors give 69,999,999 fen; the last fen goes to the largest remainder (unit 3, .67).
    spec = plan("1000000.00", bases={WS: D("100000")})

    result = allocate(spec, [unit(1, "90"), unit(2, "80"), unit(3, "70")])

    assert result.pool == D("700000.00")
    first, second, third = result.units
    assert (first.base, first.pool_share, first.total) == (
        D("100000.00"),
        D("262500.00"),
        D("362500.00"),
    )
    assert (second.pool_share, second.total) == (D("233333.33"), D("333333.33"))
    assert (third.pool_share, third.total) == (D("204166.67"), D("304166.67"))
    assert sum(totals(result).values()) == D("1000000.00")
    assert first.steps == [
        "Base amount for a workstation: 100,000.00 yuan.",
        "Score 90 of a total weight 240 → 262,500.00 yuan of the performance pool of "
        "700,000.00 yuan.",
        "Total: 362,500.00 yuan.",
    ]
    assert "Received a remainder fen (+0.01) when the pool was divided." in third.steps
    assert not any("remainder fen" in step for step in second.steps)
    assert third.detail[1] == {
        "step": "pool_share",
        "method": "proportional",
        "grade": None,
        "weight": "70",
        "total_weight": "240",
        "equal_split": False,
        "pool": "700000.00",
        "amount": "204166.67",
        "remainder_fen": True,
    }


def test_grade_plan_by_hand():
    # Bases 3 × 100,000 + 20,000 → pool 680,000; coefficients 1.2 + 1 + 0.8 + 0 = 3:
    # 272,000.00; 226,666.666… (gets the remainder fen, .67 > .33); 181,333.33; 0.
    spec = plan(
        "1000000",
        bases={WS: D("100000"), "service_point": D("20000")},
        method="grade",
        grade_coefficients={"excellent": D("1.2"), "good": D(1), "pass": D("0.8"), "fail": D(0)},
    )
    units = [
        unit(1, grade="excellent"),
        unit(2, grade="good"),
        unit(3, grade="pass"),
        unit(4, grade="fail", kind="service_point"),
    ]

    result = allocate(spec, units)

    assert totals(result) == {
        1: D("372000.00"),
        2: D("326666.67"),
        3: D("281333.33"),
        4: D("20000.00"),
    }
    assert result.unit(2).steps[1] == (
        "Grade good → coefficient 1 of a total weight 3 → 226,666.67 yuan of the performance "
        "pool of 680,000.00 yuan."
    )
    assert result.unit(4).pool_share == 0


def test_deduction_is_redistributed_to_the_other_units_by_weight():
    # As the proportional plan; unit 2 loses 30,000, which units 1 and 3 share 90:70.
    spec = plan("1000000", bases={WS: D("100000")})

    result = allocate(spec, [unit(1, "90"), unit(2, "80", deduction="30000"), unit(3, "70")])

    assert totals(result) == {1: D("379375.00"), 2: D("303333.33"), 3: D("317291.67")}
    assert result.deducted == D("30000.00")
    second = result.unit(2)
    assert (second.deduction, second.redistributed) == (D("30000.00"), 0)
    assert second.total == second.base + second.performance - second.deduction
    assert result.unit(1).redistributed == D("16875.00")
    assert result.unit(3).redistributed == D("13125.00")
    assert "Deduction: 30,000.00 yuan, returned to the pool for the other units." in second.steps
    assert (
        "Received 16,875.00 yuan of the 30,000.00 yuan deducted from other units, by weight."
        in result.unit(1).steps
    )


def test_deduction_never_takes_a_total_below_zero():
    result = allocate(plan("300"), [unit(1, "2"), unit(2, "1", deduction="150")])

    assert totals(result) == {1: D("300.00"), 2: D("0.00")}
    second = result.unit(2)
    assert second.deduction == D("100.00")
    assert any("exceeds its funding of 100.00 yuan" in step for step in second.steps)
    assert second.detail[2] == {
        "step": "deduction",
        "requested": "150.00",
        "applied": "100.00",
        "clamped": True,
    }


def test_deductions_from_every_unit_are_shared_among_all():
    result = allocate(plan("200"), [unit(1, "1", deduction="10"), unit(2, "1", deduction="30")])

    assert totals(result) == {1: D("110.00"), 2: D("90.00")}
    assert any("Every unit had a deduction" in step for step in result.unit(1).steps)


def test_deducted_money_goes_equally_to_zero_weight_recipients():
    result = allocate(plan("100"), [unit(1, "1", deduction="40"), unit(2, "0"), unit(3, "0")])

    assert totals(result) == {1: D("60.00"), 2: D("20.00"), 3: D("20.00")}


def test_cap_frees_money_that_lifts_a_unit_above_the_floor():
    # Shares 100 / 200 / 700; cap 500 frees 200, shared 1:2 → 166.67 / 333.33, so unit 1 (below
    # the 150 floor before) is not fixed at the floor.
    result = allocate(
        plan("1000", floor=D(150), cap=D(500)), [unit(1, "1"), unit(2, "2"), unit(3, "7")]
    )

    assert totals(result) == {1: D("166.67"), 2: D("333.33"), 3: D("500.00")}
    assert "Cut to the cap of 500.00 yuan." in result.unit(3).steps
    assert result.unit(3).adjustment == D("-200.00")
    first = result.unit(1)
    assert first.adjustment == D("66.67")
    assert first.performance == first.pool_share + first.adjustment
    assert any("Adjusted by +66.67 yuan, by weight" in step for step in first.steps)
    assert "Received a remainder fen (+0.01) in this adjustment." in first.steps


def test_floor_is_paid_for_by_the_others_by_weight():
    # Shares 100 / 400 / 500; raising unit 1 to 200 costs 100, taken 4:5 → 355.56 / 444.44.
    result = allocate(plan("1000", floor=D(200)), [unit(1, "1"), unit(2, "4"), unit(3, "5")])

    assert totals(result) == {1: D("200.00"), 2: D("355.56"), 3: D("444.44")}
    assert "Raised to the floor of 200.00 yuan." in result.unit(1).steps
    assert result.unit(1).detail[-2] == {"step": "floor", "amount": "100.00"}


def test_floors_cascade_until_stable():
    # Raising units 1-3 to 200 pushes unit 4 (320 before) below the floor as well.
    result = allocate(
        plan("1000", floor=D(200)),
        [unit(1, "1"), unit(2, "1"), unit(3, "1"), unit(4, "3.2"), unit(5, "3.8")],
    )

    assert totals(result) == {
        1: D("200.00"),
        2: D("200.00"),
        3: D("200.00"),
        4: D("200.00"),
        5: D("200.00"),
    }


def test_cap_only():
    result = allocate(plan("1000", cap=D(400)), [unit(1, "1"), unit(2, "1"), unit(3, "8")])

    assert totals(result) == {1: D("300.00"), 2: D("300.00"), 3: D("400.00")}


def test_floor_restores_a_deducted_unit():
    result = allocate(plan("1000", floor=D(100)), [unit(1, "1", deduction="450"), unit(2, "1")])

    # 500 − 450 = 50 is below the floor; unit 2 had 500 + 450 and pays the 50 back.
    assert totals(result) == {1: D("100.00"), 2: D("900.00")}
    assert result.unit(1).deduction == D("450.00")
    assert result.unit(1).adjustment == D("50.00")


def test_all_zero_weights_split_the_pool_equally():
    result = allocate(plan("100"), [unit(3, "0"), unit(1, "0"), unit(2, "0")])

    # 33.333… each; the remainder fen goes to the lowest unit_id.
    assert totals(result) == {1: D("33.34"), 2: D("33.33"), 3: D("33.33")}
    assert result.unit(1).steps[1] == (
        "All weights are 0, so the performance pool of 100.00 yuan is split equally among "
        "3 units → 33.34 yuan."
    )
    assert [allocation.unit_id for allocation in result.units] == [1, 2, 3]


def test_ineligible_units_get_nothing_and_take_no_part():
    result = allocate(
        plan("100", bases={WS: D(10)}), [unit(1, "1"), unit(2, "1000", eligible=False)]
    )

    assert totals(result) == {1: D("100.00"), 2: D("0.00")}
    assert result.unit(2).eligible is False
    assert result.unit(2).steps == ["Not eligible for funding in this plan → 0.00 yuan."]


def test_kind_without_a_base_gets_none():
    result = allocate(plan("100", bases={WS: D(50)}), [unit(1, "1"), unit(2, "1", kind="other")])

    assert totals(result) == {1: D("75.00"), 2: D("25.00")}
    assert result.unit(2).steps[0] == "No base amount is set for a other: 0.00 yuan."


def test_zero_budget_without_eligible_units_is_fine():
    result = allocate(plan("0"), [unit(1, "1", eligible=False)])

    assert totals(result) == {1: D("0.00")}


def test_as_dict_is_plain_data():
    data = allocate(plan("10"), [unit(1, "1")]).as_dict()

    assert data["budget"] == "10.00"
    assert data["units"][0]["total"] == "10.00"
    assert data["units"][0]["detail"][-1] == {"step": "total", "amount": "10.00"}


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "units", "code"),
    [
        (plan("100", bases={WS: D(60)}), [unit(1), unit(2)], "budget_below_base"),
        (
            plan("100", method="grade", grade_coefficients={"good": D(1)}),
            [unit(1, grade="bad")],
            "unknown_grade",
        ),
        (
            plan("100", method="grade", grade_coefficients={"good": D(1)}),
            [unit(1, grade=None)],
            "unknown_grade",
        ),
        (plan("100", floor=D("50.01")), [unit(1), unit(2)], "floors_exceed_budget"),
        (plan("100", cap=D("49.99")), [unit(1), unit(2)], "caps_below_budget"),
        (plan("100", floor=D(60), cap=D(50)), [unit(1), unit(2)], "floor_above_cap"),
        (plan("100.001"), [unit(1)], "not_whole_fen"),
        (plan("-1"), [unit(1)], "negative_amount"),
        (plan("100"), [unit(1, deduction="-5")], "negative_amount"),
        (plan("100"), [unit(1, deduction="0.005")], "not_whole_fen"),
        (plan("100"), [unit(1, "-1")], "negative_weight"),
        (plan("100"), [unit(1), unit(1)], "duplicate_unit"),
        (plan("100"), [unit(1, eligible=False)], "no_eligible_units"),
        (plan("100", method="lottery"), [unit(1)], "unknown_method"),
        (FundingPlanSpec(budget=1.5, base_by_kind={}, method="grade"), [], "invalid_amount"),
    ],
)
def test_errors(spec, units, code):
    with pytest.raises(AllocationError) as error:
        allocate(spec, units)

    assert error.value.code == code
    assert error.value.message


def test_exact_floors_and_caps_are_feasible():
    result = allocate(plan("100", floor=D(50), cap=D(50)), [unit(1, "9"), unit(2, "1")])

    assert totals(result) == {1: D("50.00"), 2: D("50.00")}


# --- properties ----------------------------------------------------------------------------------

KINDS = ("workstation", "service_point", "key_enterprise")
GRADES = {"excellent": D("1.5"), "good": D("1.2"), "pass": D(1), "fail": D(0)}


@st.composite
def plans(draw):
    budget = draw(st.integers(1, 10_000_000_000))  # fen: 0.01 .. 100,000,000.00
    count = draw(st.integers(1, 200))
    scores = st.one_of(
        st.just(D(0)),
        st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False),
    )
    units = []
    for unit_id in draw(
        st.lists(st.integers(1, 10**6), min_size=count, max_size=count, unique=True)
    ):
        units.append(
            FundingUnit(
                unit_id=unit_id,
                kind=draw(st.sampled_from(KINDS + ("unknown",))),
                score=draw(scores),
                grade=draw(st.sampled_from(list(GRADES))),
                deduction=D(draw(st.one_of(st.just(0), st.integers(0, budget)))) / 100,
                eligible=draw(st.booleans()) if unit_id % 3 else True,
            )
        )
    units[0] = FundingUnit(units[0].unit_id, units[0].kind, units[0].score, units[0].grade)
    eligible = sum(1 for funded in units if funded.eligible)
    bases = {kind: D(draw(st.integers(0, budget // count))) / 100 for kind in KINDS}
    floor = draw(st.one_of(st.none(), st.integers(0, budget // eligible)))
    cap = draw(st.one_of(st.none(), st.integers(-(-budget // eligible), budget + 1)))
    spec = FundingPlanSpec(
        budget=D(budget) / 100,
        base_by_kind=bases,
        method=draw(st.sampled_from(["proportional", "grade"])),
        grade_coefficients=GRADES,
        floor=None if floor is None else D(floor) / 100,
        cap=None if cap is None else D(cap) / 100,
    )
    return spec, units


@settings(max_examples=150, deadline=None)
@given(plans(), st.randoms(use_true_random=False))
def test_allocation_properties(drawn, rng):
    spec, units = drawn

    result = allocate(spec, units)

    assert sum(allocation.total for allocation in result.units) == spec.budget
    for allocation in result.units:
        assert allocation.total >= 0
        assert allocation.total == allocation.total.quantize(D("0.01"))
        assert allocation.total == allocation.base + allocation.performance - allocation.deduction
        if not allocation.eligible:
            assert allocation.total == 0
            continue
        if spec.floor is not None:
            assert allocation.total >= spec.floor
        if spec.cap is not None:
            assert allocation.total <= spec.cap
    assert allocate(spec, units).as_dict() == result.as_dict()
    shuffled = list(units)
    rng.shuffle(shuffled)
    assert allocate(spec, shuffled).as_dict() == result.as_dict()


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 1000), min_size=1, max_size=50),
)
def test_pool_split_follows_weights_within_a_fen(pool_fen, weights):
    units = [unit(index + 1, str(weight)) for index, weight in enumerate(weights)]

    result = allocate(plan(D(pool_fen) / 100), units)

    total_weight = sum(weights)
    for allocation, weight in zip(result.units, weights, strict=True):
        exact = (
            D(pool_fen) / 100 * weight / total_weight
            if total_weight
            else D(pool_fen) / 100 / len(weights)
        )
        assert abs(allocation.total - exact) < D("0.01")


# --- speed ---------------------------------------------------------------------------------------


def test_a_thousand_units_with_floor_cap_and_deductions_add_up():
    rng = random.Random(7)
    units = [
        FundingUnit(
            unit_id=index,
            kind=rng.choice(KINDS),
            score=D(rng.randint(0, 10_000)) / 100,
            grade=rng.choice(list(GRADES)),
            deduction=D(rng.choice([0, 0, 0, rng.randint(0, 5_000_000)])) / 100,
        )
        for index in range(1, 1001)
    ]
    spec = FundingPlanSpec(
        budget=D("50000000.00"),
        base_by_kind={"workstation": D(20000), "service_point": D(10000)},
        method="proportional",
        floor=D(15000),
        cap=D(90000),
    )

    # Speed is measured in bench/assessment.py, not asserted here.
    result = allocate(spec, units)

    assert sum(allocation.total for allocation in result.units) == spec.budget
