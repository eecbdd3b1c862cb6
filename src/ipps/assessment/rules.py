"""Scoring rules of an assessment indicator, each of which explains the points it awards.

An indicator of a scheme has `points` (its maximum) and a rule, a dict as loaded from the scheme's
YAML file, e.g. ``{"type": "tiered", "tiers": [{"at_least": "1.0", "share": "1.0"}, ...]}``.
`validate_rule` checks a rule when the scheme is loaded; `score_rule` turns a unit's value into an
`Outcome`: the points awarded, one translated sentence that says how, and the same reasoning as
structured steps for the API.

Rule types (the "type" key):

- ``tiered``: target attainment in tiers. Attainment = value / target; the indicator earns
  points × the share of the highest tier whose ``at_least`` the attainment reaches, else 0.
- ``bands``: like tiers, for a value that already is a ratio 0..1 (``"scale": "percent"``: 0..100).
  Band thresholds are always ratios.
- ``linear``: points × min(1, value / target), optionally capped by ``cap`` points.
- ``bonus``: (value − target) × ``per_unit`` for the part above target, at most ``cap``.
- ``per_event``: value × ``per_event``, at most ``cap``.
- ``judgement``: a reviewer's yes/no (value is a bool); with ``requires_evidence`` a yes without
  evidence earns nothing.
- ``deduction``: −(value × ``per_event``), at most ``cap`` deducted; ``max_points`` is 0.

``cap`` defaults to the indicator's points and may not exceed them. A target passed to `score_rule`
overrides the rule's ``target`` key, because targets differ per unit. A value of None earns 0 with an
explanation, never an exception. Awarded points are rounded half-up to 2 decimals.

Tier and band thresholds are compared exactly (value ≥ at_least × target), so a value exactly at a
threshold reaches it. Percentages in explanations are whole when exact, else truncated to one
decimal, so a displayed percentage never appears to reach a threshold the value missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ipps.core.errors import ServiceError
from ipps.core.i18n import cached_gettext as _

RULE_TYPES = ("tiered", "bands", "linear", "bonus", "per_event", "judgement", "deduction")
SCALES = ("ratio", "percent")
# Keys any rule may carry for people reading the scheme file.
_META_KEYS = frozenset({"type", "description"})
_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "tiered": frozenset({"tiers", "target"}),
    "bands": frozenset({"bands", "scale"}),
    "linear": frozenset({"target", "cap"}),
    "bonus": frozenset({"per_unit", "cap", "target"}),
    "per_event": frozenset({"per_event", "cap"}),
    "judgement": frozenset({"requires_evidence"}),
    "deduction": frozenset({"per_event", "cap"}),
}
_REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "tiered": ("tiers",),
    "bands": ("bands",),
    "linear": (),
    "bonus": ("per_unit",),
    "per_event": ("per_event",),
    "judgement": (),
    "deduction": ("per_event",),
}
CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
_ATTAINMENT_PLACES = Decimal("0.0001")
NO_POINTS = Decimal("0.00")


class RuleError(ServiceError):
    """A rule is malformed, or a value cannot be scored by it; `field` names the key at fault."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(code, message, field=field)


@dataclass(frozen=True)
class Outcome:
    """Points a rule awards for one value, and why: a sentence for people, steps for the API."""

    points: Decimal
    max_points: Decimal
    explanation: str
    steps: list[dict[str, Any]] = field(default_factory=list)


# --- numbers -------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)  # the same few values recur in every cell of every unit
def fmt(number: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 10.50 → "10.5", 1E+2 → "100"."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def fmt_percent(ratio: Decimal) -> str:
    """A ratio as a percentage: whole when exact, else truncated to one decimal (0.9333 → 93.3%)."""
    percent = ratio * HUNDRED
    if percent == percent.to_integral_value():
        return f"{fmt(percent)}%"
    return f"{fmt(percent.quantize(Decimal('0.1'), rounding=ROUND_DOWN))}%"


def _to_decimal(raw: object, field: str) -> Decimal:
    """A number from a scheme file (str, int, Decimal, or a YAML float) as a finite Decimal."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise RuleError(
            "invalid_number", _("%(field)s must be a number.") % {"field": field}, field
        )
    try:
        # A YAML float goes through its shortest repr, so 0.1 stays 0.1.
        number = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
    except (InvalidOperation, ValueError):
        raise RuleError(
            "invalid_number", _("%(field)s must be a number.") % {"field": field}, field
        ) from None
    if not number.is_finite():
        raise RuleError(
            "invalid_number", _("%(field)s must be a number.") % {"field": field}, field
        )
    return number


def _non_negative(rule: Mapping, key: str, *, label: str | None = None) -> Decimal:
    number = _to_decimal(rule[key], label or key)
    if number < 0:
        raise RuleError(
            "negative_number",
            _("%(field)s must not be negative.") % {"field": label or key},
            label or key,
        )
    return number


def _round(points: Decimal) -> Decimal:
    return points.quantize(CENT, rounding=ROUND_HALF_UP)


# --- validation ----------------------------------------------------------------------------------


def validate_rule(rule: Mapping, *, points: Decimal) -> None:
    """Raise RuleError for a malformed rule; `field` names the offending key, e.g. "tiers[1].share"."""
    if not isinstance(rule, Mapping):
        raise RuleError("invalid_rule", _("A scoring rule must be a mapping of keys to values."))
    if points < 0:
        raise RuleError(
            "negative_points", _("The indicator's points must not be negative."), "points"
        )
    if "type" not in rule:
        raise RuleError("missing_key", _("The rule has no type."), "type")
    kind = rule["type"]
    if kind not in RULE_TYPES:
        raise RuleError(
            "unknown_type",
            _("Unknown rule type %(type)s; expected one of %(types)s.")
            % {"type": kind, "types": ", ".join(RULE_TYPES)},
            "type",
        )
    allowed = _ALLOWED_KEYS[kind] | _META_KEYS
    for key in rule:
        if key not in allowed:
            raise RuleError(
                "unknown_key",
                _("A %(type)s rule has no key %(key)s.") % {"type": kind, "key": key},
                str(key),
            )
    for key in _REQUIRED_KEYS[kind]:
        if key not in rule:
            raise RuleError(
                "missing_key",
                _("A %(type)s rule needs the key %(key)s.") % {"type": kind, "key": key},
                key,
            )
    for key in ("per_unit", "per_event"):
        if key in rule:
            _non_negative(rule, key)
    if "cap" in rule:
        cap = _non_negative(rule, "cap")
        if cap > points:
            raise RuleError(
                "cap_above_points",
                _("The cap %(cap)s is above the indicator's %(points)s points.")
                % {"cap": fmt(cap), "points": fmt(points)},
                "cap",
            )
    if rule.get("target") is not None:
        if _to_decimal(rule["target"], "target") <= 0:
            raise RuleError("invalid_target", _("The target must be above zero."), "target")
    if kind == "tiered":
        _validate_steps(rule, "tiers", max_threshold=None)
    elif kind == "bands":
        scale = rule.get("scale", "ratio")
        if scale not in SCALES:
            raise RuleError(
                "invalid_scale",
                _("Unknown scale %(scale)s; expected ratio or percent.") % {"scale": scale},
                "scale",
            )
        _validate_steps(rule, "bands", max_threshold=ONE)
    elif kind == "judgement":
        if not isinstance(rule.get("requires_evidence", False), bool):
            raise RuleError(
                "invalid_flag", _("requires_evidence must be true or false."), "requires_evidence"
            )


def _validate_steps(rule: Mapping, key: str, *, max_threshold: Decimal | None) -> None:
    """Tiers or bands: a non-empty list, thresholds strictly descending, shares 0..1 not rising."""
    steps = rule[key]
    if not isinstance(steps, list | tuple) or not steps:
        raise RuleError("empty_tiers", _("%(key)s must be a non-empty list.") % {"key": key}, key)
    previous: tuple[Decimal, Decimal] | None = None
    for index, step in enumerate(steps):
        where = f"{key}[{index}]"
        if not isinstance(step, Mapping):
            raise RuleError(
                "invalid_tier",
                _("%(where)s must have at_least and share.") % {"where": where},
                where,
            )
        for name in ("at_least", "share"):
            if name not in step:
                raise RuleError(
                    "missing_key",
                    _("%(where)s needs the key %(key)s.") % {"where": where, "key": name},
                    f"{where}.{name}",
                )
        extra = set(step) - {"at_least", "share"}
        if extra:
            name = sorted(map(str, extra))[0]
            raise RuleError(
                "unknown_key",
                _("%(where)s has no key %(key)s.") % {"where": where, "key": name},
                f"{where}.{name}",
            )
        at_least = _non_negative(step, "at_least", label=where + ".at_least")
        share = _non_negative(step, "share", label=where + ".share")
        if max_threshold is not None and at_least > max_threshold:
            raise RuleError(
                "threshold_out_of_range",
                _("%(field)s must be a ratio between 0 and 1.") % {"field": where + ".at_least"},
                where + ".at_least",
            )
        if share > ONE:
            raise RuleError(
                "share_out_of_range",
                _("%(field)s must be between 0 and 1.") % {"field": where + ".share"},
                where + ".share",
            )
        if previous is not None:
            if at_least >= previous[0]:
                raise RuleError(
                    "tiers_not_descending",
                    _("%(key)s must be listed from the highest threshold down.") % {"key": key},
                    where + ".at_least",
                )
            if share > previous[1]:
                raise RuleError(
                    "shares_not_descending",
                    _("%(field)s gives more than the higher threshold above it.")
                    % {"field": where + ".share"},
                    where + ".share",
                )
        previous = (at_least, share)


# --- scoring -------------------------------------------------------------------------------------


def score_rule(
    rule: Mapping,
    *,
    points: Decimal,
    value: object,
    target: Decimal | None = None,
    evidence: bool = True,
    validated: bool = False,
) -> Outcome:
    """Score `value` by `rule` on an indicator worth `points`; None scores 0 with a reason.
    `validated=True` skips checking the rule again (the scheme was checked when imported)."""
    if not validated:
        validate_rule(rule, points=points)
    kind = rule["type"]
    if kind == "judgement":
        return _score_judgement(rule, points, value, evidence)
    if value is None:
        return _no_value(kind, points)
    number = _value(value)
    if kind == "tiered":
        return _score_tiered(rule, points, number, _target(rule, target))
    if kind == "bands":
        return _score_bands(rule, points, number)
    if kind == "linear":
        return _score_linear(rule, points, number, _target(rule, target))
    if kind == "bonus":
        return _score_bonus(rule, points, number, _target(rule, target))
    if kind == "per_event":
        return _score_per_event(rule, points, number)
    return _score_deduction(rule, points, number)


def _value(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise RuleError("invalid_value", _("The value must be a number."), "value")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RuleError("invalid_value", _("The value must be a number."), "value") from None
    if not number.is_finite():
        raise RuleError("invalid_value", _("The value must be a number."), "value")
    if number < 0:
        raise RuleError(
            "negative_value",
            _("The value %(value)s is negative.") % {"value": fmt(number)},
            "value",
        )
    return number


def _target(rule: Mapping, target: Decimal | None) -> Decimal:
    """The unit's target if given, else the rule's; zero or missing cannot be scored against."""
    if target is None and rule.get("target") is not None:
        target = _to_decimal(rule["target"], "target")
    if target is None or target == 0:
        raise RuleError("missing_target", _("This indicator needs a target above zero."), "target")
    target = Decimal(target)
    if target < 0:
        raise RuleError("invalid_target", _("The target must be above zero."), "target")
    return target


def _cap(rule: Mapping, points: Decimal) -> Decimal:
    return _to_decimal(rule["cap"], "cap") if "cap" in rule else points


def _no_value(kind: str, points: Decimal) -> Outcome:
    if kind == "deduction":
        explanation = _("No value reported → nothing deducted")
        max_points = ZERO
    else:
        explanation = _("No value reported → 0 of %(points)s points") % {"points": fmt(points)}
        max_points = points
    return Outcome(
        NO_POINTS, max_points, explanation, [{"step": "value", "value": None}, _points(NO_POINTS)]
    )


def _points(awarded: Decimal) -> dict[str, Any]:
    return {"step": "points", "value": fmt(awarded)}


def _attainment(value: Decimal, target: Decimal) -> Decimal:
    return value / target


def _reached(
    steps: list[Mapping], value: Decimal, scale: Decimal
) -> tuple[Decimal, Decimal] | None:
    """The highest (at_least, share) with value ≥ at_least × scale; exact, no division."""
    for step in steps:
        at_least = _to_decimal(step["at_least"], "at_least")
        if value >= at_least * scale:
            return at_least, _to_decimal(step["share"], "share")
    return None


def _score_tiered(rule: Mapping, points: Decimal, value: Decimal, target: Decimal) -> Outcome:
    attainment = _attainment(value, target)
    reached = _reached(rule["tiers"], value, target)
    numbers = {
        "value": fmt(value),
        "target": fmt(target),
        "attainment": fmt_percent(attainment),
        "points": fmt(points),
    }
    if reached is None:
        lowest = _to_decimal(rule["tiers"][-1]["at_least"], "at_least")
        awarded = NO_POINTS
        explanation = _(
            "%(value)s of target %(target)s → %(attainment)s → below the %(tier)s tier "
            "→ 0 of %(points)s points"
        ) % {**numbers, "tier": fmt_percent(lowest)}
        tier_step: dict[str, Any] = {"step": "tier", "value": None}
    else:
        at_least, share = reached
        awarded = _round(points * share)
        explanation = _(
            "%(value)s of target %(target)s → %(attainment)s → reached the %(tier)s tier "
            "(%(share)s of the points) → %(awarded)s of %(points)s points"
        ) % {
            **numbers,
            "tier": fmt_percent(at_least),
            "share": fmt_percent(share),
            "awarded": fmt(awarded),
        }
        tier_step = {"step": "tier", "value": fmt(at_least), "share": fmt(share)}
    steps = [
        {"step": "value", "value": fmt(value)},
        {"step": "target", "value": fmt(target)},
        {"step": "attainment", "value": _attainment_text(attainment)},
        tier_step,
        _points(awarded),
    ]
    return Outcome(awarded, points, explanation, steps)


def _attainment_text(attainment: Decimal) -> str:
    return fmt(attainment.quantize(_ATTAINMENT_PLACES, rounding=ROUND_DOWN))


def _score_bands(rule: Mapping, points: Decimal, value: Decimal) -> Outcome:
    percent_scale = rule.get("scale", "ratio") == "percent"
    ratio = value / HUNDRED if percent_scale else value
    if ratio > ONE:
        raise RuleError(
            "value_out_of_range",
            _("The value %(value)s is above %(maximum)s.")
            % {"value": fmt(value), "maximum": "100" if percent_scale else "1"},
            "value",
        )
    reached = _reached(rule["bands"], ratio, ONE)
    if reached is None:
        lowest = _to_decimal(rule["bands"][-1]["at_least"], "at_least")
        awarded = NO_POINTS
        explanation = _("%(ratio)s → below the lowest band (%(band)s) → 0 of %(points)s points") % {
            "ratio": fmt_percent(ratio),
            "band": fmt_percent(lowest),
            "points": fmt(points),
        }
        band_step: dict[str, Any] = {"step": "band", "value": None}
    else:
        at_least, share = reached
        awarded = _round(points * share)
        explanation = _(
            "%(ratio)s → in the ≥%(band)s band (%(share)s of the points) "
            "→ %(awarded)s of %(points)s points"
        ) % {
            "ratio": fmt_percent(ratio),
            "band": fmt_percent(at_least),
            "share": fmt_percent(share),
            "awarded": fmt(awarded),
            "points": fmt(points),
        }
        band_step = {"step": "band", "value": fmt(at_least), "share": fmt(share)}
    steps = [
        {"step": "value", "value": fmt(value)},
        {"step": "ratio", "value": fmt(ratio)},
        band_step,
        _points(awarded),
    ]
    return Outcome(awarded, points, explanation, steps)


def _score_linear(rule: Mapping, points: Decimal, value: Decimal, target: Decimal) -> Outcome:
    attainment = _attainment(value, target)
    counted = min(ONE, attainment)
    earned = points * counted
    cap = _cap(rule, points)
    awarded = _round(min(cap, earned))
    numbers = {
        "value": fmt(value),
        "target": fmt(target),
        "attainment": fmt_percent(attainment),
        "awarded": fmt(awarded),
        "points": fmt(points),
        "cap": fmt(cap),
    }
    if attainment > ONE:
        explanation = _(
            "%(value)s of target %(target)s → %(attainment)s, counted as 100%% "
            "→ %(awarded)s of %(points)s points"
        )
    else:
        explanation = _(
            "%(value)s of target %(target)s → %(attainment)s → %(awarded)s of %(points)s points"
        )
    if earned > cap:
        explanation = _(
            "%(value)s of target %(target)s → %(attainment)s, capped at %(cap)s points "
            "→ %(awarded)s of %(points)s points"
        )
    steps = [
        {"step": "value", "value": fmt(value)},
        {"step": "target", "value": fmt(target)},
        {"step": "attainment", "value": _attainment_text(attainment)},
        {"step": "counted", "value": _attainment_text(counted)},
        {"step": "cap", "value": fmt(cap) if earned > cap else None},
        _points(awarded),
    ]
    return Outcome(awarded, points, explanation % numbers, steps)


def _score_bonus(rule: Mapping, points: Decimal, value: Decimal, target: Decimal) -> Outcome:
    per_unit = _to_decimal(rule["per_unit"], "per_unit")
    cap = _cap(rule, points)
    above = max(ZERO, value - target)
    earned = above * per_unit
    awarded = _round(min(cap, earned))
    numbers = {
        "value": fmt(value),
        "target": fmt(target),
        "above": fmt(above),
        "per_unit": fmt(per_unit),
        "earned": fmt(earned),
        "cap": fmt(cap),
        "awarded": fmt(awarded),
        "points": fmt(points),
    }
    if above == 0:
        explanation = _(
            "%(value)s against target %(target)s → nothing above target → 0 of %(points)s points"
        )
    elif earned > cap:
        explanation = _(
            "%(value)s against target %(target)s → %(above)s above target × %(per_unit)s "
            "= %(earned)s, capped at %(cap)s → %(awarded)s of %(points)s points"
        )
    else:
        explanation = _(
            "%(value)s against target %(target)s → %(above)s above target × %(per_unit)s "
            "= %(earned)s → %(awarded)s of %(points)s points"
        )
    steps = [
        {"step": "value", "value": fmt(value)},
        {"step": "target", "value": fmt(target)},
        {"step": "above_target", "value": fmt(above)},
        {"step": "earned", "value": fmt(earned)},
        {"step": "cap", "value": fmt(cap) if earned > cap else None},
        _points(awarded),
    ]
    return Outcome(awarded, points, explanation % numbers, steps)


def _score_per_event(rule: Mapping, points: Decimal, value: Decimal) -> Outcome:
    per_event = _to_decimal(rule["per_event"], "per_event")
    cap = _cap(rule, points)
    earned = value * per_event
    awarded = _round(min(cap, earned))
    numbers = {
        "value": fmt(value),
        "per_event": fmt(per_event),
        "earned": fmt(earned),
        "cap": fmt(cap),
        "awarded": fmt(awarded),
        "points": fmt(points),
    }
    if earned > cap:
        explanation = _(
            "%(value)s events × %(per_event)s points = %(earned)s, capped at %(cap)s "
            "→ %(awarded)s of %(points)s points"
        )
    else:
        explanation = _(
            "%(value)s events × %(per_event)s points = %(earned)s → %(awarded)s of %(points)s points"
        )
    steps = [
        {"step": "value", "value": fmt(value)},
        {"step": "earned", "value": fmt(earned)},
        {"step": "cap", "value": fmt(cap) if earned > cap else None},
        _points(awarded),
    ]
    return Outcome(awarded, points, explanation % numbers, steps)


def _score_deduction(rule: Mapping, points: Decimal, value: Decimal) -> Outcome:
    per_event = _to_decimal(rule["per_event"], "per_event")
    cap = _cap(rule, points)
    earned = value * per_event
    deducted = _round(min(cap, earned))
    numbers = {
        "value": fmt(value),
        "per_event": fmt(per_event),
        "earned": fmt(earned),
        "cap": fmt(cap),
        "deducted": fmt(deducted),
    }
    if earned > cap:
        explanation = _(
            "%(value)s events × %(per_event)s points = %(earned)s, capped at %(cap)s "
            "→ %(deducted)s points deducted"
        )
    else:
        explanation = _(
            "%(value)s events × %(per_event)s points = %(earned)s → %(deducted)s points deducted"
        )
    awarded = -deducted if deducted else NO_POINTS
    steps = [
        {"step": "value", "value": fmt(value)},
        {"step": "earned", "value": fmt(earned)},
        {"step": "cap", "value": fmt(cap) if earned > cap else None},
        _points(awarded),
    ]
    return Outcome(awarded, ZERO, explanation % numbers, steps)


def _score_judgement(rule: Mapping, points: Decimal, value: object, evidence: bool) -> Outcome:
    if value is not None and not isinstance(value, bool):
        raise RuleError(
            "invalid_value", _("A judgement is yes (true), no (false) or not yet made."), "value"
        )
    requires_evidence = bool(rule.get("requires_evidence", False))
    numbers = {"points": fmt(points)}
    awarded = NO_POINTS
    if value is None:
        explanation = _("Awaiting the reviewer's judgement → 0 of %(points)s points")
    elif not value:
        explanation = _("Judged not met → 0 of %(points)s points")
    elif requires_evidence and not evidence:
        explanation = _("Judged met but the required evidence is missing → 0 of %(points)s points")
    else:
        awarded = _round(points)
        explanation = (
            _("Judged met with evidence → %(points)s of %(points)s points")
            if requires_evidence
            else _("Judged met → %(points)s of %(points)s points")
        )
    steps: list[dict[str, Any]] = [{"step": "judgement", "value": value}]
    if requires_evidence:
        steps.append({"step": "evidence", "value": evidence})
    steps.append(_points(awarded))
    return Outcome(awarded, points, explanation % numbers, steps)


# --- grades --------------------------------------------------------------------------------------


def grade_for(total: Decimal, bands: list[tuple[str, Decimal]]) -> str | None:
    """The grade of the highest threshold `total` reaches, e.g. 80 in (90, 80, 60, 0) → the 80 one.

    Bands are taken from the highest threshold down whatever order they come in; None when the total
    is below every threshold.
    """
    for name, threshold in sorted(bands, key=lambda band: Decimal(band[1]), reverse=True):
        if total >= Decimal(threshold):
            return name
    return None
