"""Scoring rules: points awarded at and around every threshold, and the explanations given."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from ipps.assessment.rules import (
    Outcome,
    RuleError,
    fmt,
    fmt_percent,
    grade_for,
    score_rule,
    validate_rule,
)

TIERED = {
    "type": "tiered",
    "tiers": [{"at_least": "1.0", "share": "1.0"}, {"at_least": "0.9", "share": "0.6"}],
}
BANDS = {
    "type": "bands",
    "bands": [
        {"at_least": "0.95", "share": "1"},
        {"at_least": "0.90", "share": "0.8"},
        {"at_least": "0.8", "share": "0.5"},
    ],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def score(rule, value, points="10", **kwargs) -> Outcome:
    return score_rule(rule, points=D(points), value=value, **kwargs)


# --- tiered --------------------------------------------------------------------------------------


def test_tiered_below_lowest_tier_explains_itself_exactly():
    outcome = score(TIERED, 12, target=D(15))

    assert outcome.points == D("0.00")
    assert outcome.max_points == D(10)
    assert outcome.explanation == "12 of target 15 → 80% → below the 90% tier → 0 of 10 points"
    assert outcome.steps == [
        {"step": "value", "value": "12"},
        {"step": "target", "value": "15"},
        {"step": "attainment", "value": "0.8"},
        {"step": "tier", "value": None},
        {"step": "points", "value": "0"},
    ]


def test_tiered_exactly_at_the_90_percent_threshold_reaches_it():
    outcome = score(TIERED, 9, target=D(10))

    assert outcome.points == D("6.00")
    assert outcome.explanation == (
        "9 of target 10 → 90% → reached the 90% tier (60% of the points) → 6 of 10 points"
    )
    assert outcome.steps[3] == {"step": "tier", "value": "0.9", "share": "0.6"}


def test_tiered_just_below_a_threshold_misses_it():
    assert score(TIERED, D("8.99"), target=D(10)).points == 0
    assert score(TIERED, D("9.99"), target=D(10)).points == D("6.00")


def test_tiered_full_target_and_above_give_full_points():
    assert score(TIERED, 15, target=D(15)).points == D("10.00")
    assert score(TIERED, 40, target=D(15)).points == D("10.00")


def test_tiered_non_terminating_attainment_is_truncated_in_text_and_steps():
    outcome = score(TIERED, 14, target=D(15))

    assert "93.3%" in outcome.explanation
    assert outcome.steps[2] == {"step": "attainment", "value": "0.9333"}


def test_tiered_percentage_is_never_shown_rounded_up_to_a_missed_threshold():
    outcome = score(TIERED, D("99.96"), target=D(100))

    assert outcome.points == D("6.00")
    assert "99.9%" in outcome.explanation


def test_tiered_target_argument_overrides_the_rules_target():
    rule = {**TIERED, "target": "100"}

    assert score(rule, 12, target=D(12)).points == D("10.00")
    assert score(rule, 12).points == 0
    assert score(rule, 95).points == D("6.00")


@pytest.mark.parametrize("target", [None, D(0)])
def test_tiered_without_a_target_cannot_be_scored(target):
    with pytest.raises(RuleError) as error:
        score(TIERED, 12, target=target)

    assert error.value.code == "missing_target"
    assert error.value.field == "target"


def test_tiered_share_is_rounded_half_up_to_two_decimals():
    rule = {"type": "tiered", "tiers": [{"at_least": "1", "share": "0.333"}]}

    # 7.5 × 0.333 = 2.4975
    assert score(rule, 1, points="7.5", target=D(1)).points == D("2.50")


# --- value None / negative / invalid ------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        TIERED,
        BANDS,
        {"type": "linear"},
        {"type": "bonus", "per_unit": "0.1"},
        {"type": "per_event", "per_event": "5"},
    ],
)
def test_no_value_scores_zero_with_an_explanation(rule):
    outcome = score(rule, None)

    assert outcome.points == 0
    assert outcome.max_points == D(10)
    assert outcome.explanation == "No value reported → 0 of 10 points"
    assert outcome.steps == [{"step": "value", "value": None}, {"step": "points", "value": "0"}]


@pytest.mark.parametrize(
    "rule",
    [
        TIERED,
        BANDS,
        {"type": "per_event", "per_event": "5"},
        {"type": "deduction", "per_event": "1"},
    ],
)
def test_negative_values_are_refused(rule):
    with pytest.raises(RuleError) as error:
        score(rule, -1, target=D(10))

    assert error.value.code == "negative_value"
    assert error.value.field == "value"


@pytest.mark.parametrize("value", [True, 1.5, "abc", D("NaN"), [1]])
def test_values_that_are_not_numbers_are_refused(value):
    with pytest.raises(RuleError) as error:
        score({"type": "per_event", "per_event": "1"}, value)

    assert error.value.code == "invalid_value"


# --- bands ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (D("1"), D("10.00")),
        (D("0.95"), D("10.00")),
        (D("0.9499"), D("8.00")),
        (D("0.90"), D("8.00")),
        (D("0.8"), D("5.00")),
        (D("0.7999"), D("0.00")),
        (D("0"), D("0.00")),
    ],
)
def test_bands_at_and_around_each_threshold(value, points):
    assert score(BANDS, value).points == points


def test_bands_explanation_names_the_band_and_its_share():
    outcome = score(BANDS, D("0.93"))

    assert outcome.explanation == "93% → in the ≥90% band (80% of the points) → 8 of 10 points"
    assert outcome.steps[2] == {"step": "band", "value": "0.9", "share": "0.8"}


def test_bands_below_the_lowest_band():
    outcome = score(BANDS, D("0.5"))

    assert outcome.explanation == "50% → below the lowest band (80%) → 0 of 10 points"


def test_bands_percent_scale_reads_the_value_as_0_to_100():
    rule = {**BANDS, "scale": "percent"}

    assert score(rule, 95).points == D("10.00")
    assert score(rule, D("89.9")).points == D("5.00")
    assert score(rule, 93).steps[1] == {"step": "ratio", "value": "0.93"}


@pytest.mark.parametrize(
    ("rule", "value"), [(BANDS, D("1.01")), ({**BANDS, "scale": "percent"}, 101)]
)
def test_bands_value_above_the_scale_is_refused(rule, value):
    with pytest.raises(RuleError) as error:
        score(rule, value)

    assert error.value.code == "value_out_of_range"


# --- linear --------------------------------------------------------------------------------------


def test_linear_is_proportional_to_attainment():
    outcome = score({"type": "linear"}, 12, target=D(15))

    assert outcome.points == D("8.00")
    assert outcome.explanation == "12 of target 15 → 80% → 8 of 10 points"


def test_linear_counts_over_achievement_as_100_percent():
    outcome = score({"type": "linear"}, 18, target=D(15))

    assert outcome.points == D("10.00")
    assert outcome.explanation == "18 of target 15 → 120%, counted as 100% → 10 of 10 points"


def test_linear_rounds_half_up_and_respects_a_cap():
    assert score({"type": "linear"}, 1, target=D(3)).points == D("3.33")
    assert score({"type": "linear"}, 2, target=D(3)).points == D("6.67")
    capped = score({"type": "linear", "cap": "5"}, 12, target=D(15))
    assert capped.points == D("5.00")
    assert "capped at 5 points" in capped.explanation


def test_linear_needs_a_target():
    with pytest.raises(RuleError) as error:
        score({"type": "linear"}, 1)

    assert error.value.code == "missing_target"


# --- bonus ---------------------------------------------------------------------------------------


def test_bonus_per_unit_above_target():
    outcome = score({"type": "bonus", "per_unit": "0.1", "cap": "2"}, 18, target=D(15))

    assert outcome.points == D("0.30")
    assert outcome.explanation == (
        "18 against target 15 → 3 above target × 0.1 = 0.3 → 0.3 of 10 points"
    )


def test_bonus_is_capped():
    outcome = score({"type": "bonus", "per_unit": "0.1", "cap": "2"}, 40, target=D(15))

    assert outcome.points == D("2.00")
    assert "= 2.5, capped at 2 → 2 of 10 points" in outcome.explanation


def test_bonus_cap_defaults_to_the_points():
    assert score({"type": "bonus", "per_unit": "1"}, 100, target=D(15), points="3").points == D(
        "3.00"
    )


@pytest.mark.parametrize("value", [0, 14, 15])
def test_bonus_at_or_below_target_is_zero(value):
    outcome = score({"type": "bonus", "per_unit": "0.1"}, value, target=D(15))

    assert outcome.points == 0
    assert "nothing above target" in outcome.explanation


# --- per_event -----------------------------------------------------------------------------------


def test_per_event_points_and_cap():
    rule = {"type": "per_event", "per_event": "5", "cap": "20"}

    three = score(rule, 3, points="20")
    assert three.points == D("15.00")
    assert three.explanation == "3 events × 5 points = 15 → 15 of 20 points"
    assert score(rule, 4, points="20").points == D("20.00")
    five = score(rule, 5, points="20")
    assert five.points == D("20.00")
    assert five.explanation == "5 events × 5 points = 25, capped at 20 → 20 of 20 points"
    assert score(rule, 0, points="20").points == 0


def test_per_event_cap_defaults_to_the_points():
    assert score({"type": "per_event", "per_event": "5"}, 9).points == D("10.00")


# --- judgement -----------------------------------------------------------------------------------


JUDGEMENT = {"type": "judgement", "requires_evidence": True}


def test_judgement_met_with_evidence_gives_full_points():
    outcome = score(JUDGEMENT, True)

    assert outcome.points == D("10.00")
    assert outcome.explanation == "Judged met with evidence → 10 of 10 points"
    assert outcome.steps == [
        {"step": "judgement", "value": True},
        {"step": "evidence", "value": True},
        {"step": "points", "value": "10"},
    ]


def test_judgement_met_without_required_evidence_gives_nothing():
    outcome = score(JUDGEMENT, True, evidence=False)

    assert outcome.points == 0
    assert "evidence is missing" in outcome.explanation


def test_judgement_without_evidence_requirement_ignores_evidence():
    assert score({"type": "judgement"}, True, evidence=False).points == D("10.00")


def test_judgement_not_met_and_not_yet_judged():
    assert score(JUDGEMENT, False).explanation == "Judged not met → 0 of 10 points"
    awaiting = score(JUDGEMENT, None)
    assert awaiting.points == 0
    assert awaiting.explanation == "Awaiting the reviewer's judgement → 0 of 10 points"


def test_judgement_value_must_be_a_bool():
    with pytest.raises(RuleError) as error:
        score(JUDGEMENT, 1)

    assert error.value.code == "invalid_value"


# --- deduction -----------------------------------------------------------------------------------


def test_deduction_is_negative_and_has_no_maximum():
    outcome = score({"type": "deduction", "per_event": "2", "cap": "10"}, 3)

    assert outcome.points == D("-6.00")
    assert outcome.max_points == 0
    assert outcome.explanation == "3 events × 2 points = 6 → 6 points deducted"
    assert outcome.steps[-1] == {"step": "points", "value": "-6"}


def test_deduction_is_capped_by_the_cap_or_the_points():
    capped = score({"type": "deduction", "per_event": "2", "cap": "5"}, 3)
    assert capped.points == D("-5.00")
    assert "capped at 5" in capped.explanation
    assert score({"type": "deduction", "per_event": "2"}, 30).points == D("-10.00")


def test_deduction_of_nothing():
    assert score({"type": "deduction", "per_event": "2"}, 0).points == 0
    nothing = score({"type": "deduction", "per_event": "2"}, None)
    assert nothing.points == 0
    assert nothing.max_points == 0
    assert nothing.explanation == "No value reported → nothing deducted"


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "code", "field"),
    [
        ({}, "missing_key", "type"),
        ({"type": "magic"}, "unknown_type", "type"),
        ({"type": "tiered"}, "missing_key", "tiers"),
        ({"type": "tiered", "tiers": []}, "empty_tiers", "tiers"),
        ({"type": "tiered", "tiers": ["x"]}, "invalid_tier", "tiers[0]"),
        ({"type": "tiered", "tiers": [{"share": "1"}]}, "missing_key", "tiers[0].at_least"),
        (
            {"type": "tiered", "tiers": [{"at_least": "1", "share": "1", "bonus": 1}]},
            "unknown_key",
            "tiers[0].bonus",
        ),
        (
            {
                "type": "tiered",
                "tiers": [{"at_least": "0.9", "share": "0.6"}, {"at_least": "1", "share": "1"}],
            },
            "tiers_not_descending",
            "tiers[1].at_least",
        ),
        (
            {
                "type": "tiered",
                "tiers": [{"at_least": "1", "share": "1"}, {"at_least": "1", "share": "0.5"}],
            },
            "tiers_not_descending",
            "tiers[1].at_least",
        ),
        (
            {
                "type": "tiered",
                "tiers": [{"at_least": "1", "share": "1"}, {"at_least": "0.9", "share": "1.5"}],
            },
            "share_out_of_range",
            "tiers[1].share",
        ),
        (
            {
                "type": "tiered",
                "tiers": [{"at_least": "1", "share": "0.5"}, {"at_least": "0.9", "share": "0.6"}],
            },
            "shares_not_descending",
            "tiers[1].share",
        ),
        (
            {"type": "tiered", "tiers": [{"at_least": "-1", "share": "1"}]},
            "negative_number",
            "tiers[0].at_least",
        ),
        (
            {"type": "tiered", "tiers": [{"at_least": "x", "share": "1"}]},
            "invalid_number",
            "tiers[0].at_least",
        ),
        ({**TIERED, "target": "0"}, "invalid_target", "target"),
        ({**TIERED, "traget": "5"}, "unknown_key", "traget"),
        (
            {"type": "bands", "bands": [{"at_least": "95", "share": "1"}]},
            "threshold_out_of_range",
            "bands[0].at_least",
        ),
        ({**BANDS, "scale": "permille"}, "invalid_scale", "scale"),
        ({"type": "bonus"}, "missing_key", "per_unit"),
        ({"type": "bonus", "per_unit": "-0.1"}, "negative_number", "per_unit"),
        ({"type": "bonus", "per_unit": "0.1", "cap": "11"}, "cap_above_points", "cap"),
        ({"type": "per_event", "per_event": "5", "cap": "-1"}, "negative_number", "cap"),
        ({"type": "per_event", "per_event": True}, "invalid_number", "per_event"),
        ({"type": "deduction", "per_event": "1", "cap": "20"}, "cap_above_points", "cap"),
        ({"type": "judgement", "requires_evidence": "yes"}, "invalid_flag", "requires_evidence"),
        ({"type": "linear", "cap": "12"}, "cap_above_points", "cap"),
    ],
)
def test_validate_rule_names_the_wrong_field(rule, code, field):
    with pytest.raises(RuleError) as error:
        validate_rule(rule, points=D(10))

    assert (error.value.code, error.value.field) == (code, field)
    assert error.value.message


def test_validate_rule_refuses_negative_points_and_non_mappings():
    with pytest.raises(RuleError) as error:
        validate_rule(TIERED, points=D(-1))
    assert error.value.code == "negative_points"
    with pytest.raises(RuleError) as error:
        validate_rule(["tiered"], points=D(1))  # type: ignore[arg-type]
    assert error.value.code == "invalid_rule"


@pytest.mark.parametrize(
    "rule",
    [
        TIERED,
        {**TIERED, "target": 15, "description": "Visits to enterprises"},
        BANDS,
        {**BANDS, "scale": "percent"},
        {"type": "bonus", "per_unit": 0.1, "cap": 2, "target": "3"},
        {"type": "per_event", "per_event": 5, "cap": "10"},
        {"type": "judgement"},
        {"type": "deduction", "per_event": "2", "cap": "10"},
        {"type": "linear", "target": "15"},
    ],
)
def test_valid_rules_pass(rule):
    validate_rule(rule, points=D(10))


def test_yaml_floats_in_a_rule_are_read_as_their_decimal_text():
    rule = {"type": "bonus", "per_unit": 0.1}

    assert score(rule, 18, target=D(15)).points == D("0.30")


def test_scoring_validates_the_rule_first():
    with pytest.raises(RuleError) as error:
        score({"type": "tiered", "tiers": []}, 1, target=D(1))

    assert error.value.code == "empty_tiers"


# --- formatting and grades -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [(D("10.50"), "10.5"), (D("1E+2"), "100"), (D("0.00"), "0"), (D("-0"), "0"), (D("-6.0"), "-6")],
)
def test_fmt_drops_trailing_zeros(number, text):
    assert fmt(number) == text


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(D("0.8"), "80%"), (D("1"), "100%"), (D("0.805"), "80.5%"), (D(2) / D(3), "66.6%")],
)
def test_fmt_percent(ratio, text):
    assert fmt_percent(ratio) == text


GRADES = [("excellent", D(90)), ("good", D(80)), ("pass", D(60)), ("fail", D(0))]


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D(100), "excellent"),
        (D(90), "excellent"),
        (D("89.99"), "good"),
        (D(80), "good"),
        (D("79.99"), "pass"),
        (D(60), "pass"),
        (D("59.99"), "fail"),
        (D(0), "fail"),
        (D("-0.01"), None),
    ],
)
def test_grade_for_boundaries(total, grade):
    assert grade_for(total, GRADES) == grade


def test_grade_for_reads_bands_from_the_top_whatever_their_order():
    assert grade_for(D(85), list(reversed(GRADES))) == "good"
    assert grade_for(D(50), [("excellent", D(90)), ("pass", D(60))]) is None
