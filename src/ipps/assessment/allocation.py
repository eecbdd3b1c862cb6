"""Performance-based funding of units that adds up to the budget exactly, to the fen.

`allocate(spec, units)` splits `spec.budget` among the units of a funding plan and says, per unit, how
its amount was reached: sentences for people (`sentences`, translated when read: `steps` in the
active language) and the same as data for the API (`detail`).

Semantics, in the order they are applied:

1. Ineligible units get 0 and take no further part. With no eligible unit the budget must be 0.
2. Base: each eligible unit gets ``base_by_kind[kind]`` (a kind without a base gets 0). The pool is the
   budget minus all bases; a negative pool is an error (``budget_below_base``).
3. Performance: the pool is divided by weight, the unit's score (``proportional``) or the coefficient of
   its grade (``grade``; a grade without a coefficient is an error). If all weights are 0 the pool is
   split equally.
4. Deductions (yuan, computed by the caller from a deduction schedule) are taken from the unit's
   funding, at most down to a total of 0. The money deducted is divided by weight among the units
   that had no deduction (among all eligible units when every unit had one; equally when those
   units' weights are all 0), so the budget stays fully spent.
5. Floor and cap bound every eligible unit's total. Water-filling: units that would end below the
   floor are raised to it and fixed, units above the cap are cut to it and fixed, and the difference
   is taken from / given to the remaining units by weight, until no unit is out of bounds. Each round
   fixes only the side that the final level is known to leave out of bounds, so the result is the
   same as clamping ``amount + level × weight`` at one common level. When the remaining units all
   have weight 0 they share the difference equally. Impossible bounds are errors:
   ``floors_exceed_budget`` (floor × units > budget), ``caps_below_budget`` (cap × units < budget).

Reported per unit: ``base``; ``pool_share`` (step 3); ``redistributed`` (deducted money received in
step 4); ``adjustment`` (step 5, signed); ``performance`` = pool_share + redistributed + adjustment;
``deduction`` (applied, step 4); ``total`` = base + performance − deduction.

Exactness: all money is handled as integer fen. Every division hands out the whole amount by the
largest-remainder method: each unit gets the floor of its exact share, and the fen left over go one
each to the largest remainders, ties to the lowest unit_id. So totals add up to the budget to the fen,
results do not depend on the order units are given in, and no float is ever used. Amounts given in
yuan must be whole fen (at most 2 decimals).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ipps.core.errors import ServiceError
from ipps.core.i18n import say, sentence

METHODS = ("proportional", "grade")
CENT = Decimal("0.01")
ZERO = Decimal(0)


class AllocationError(ServiceError):
    """The plan cannot be allocated as specified; `code` is stable, `message` translated."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(code, message, field=field)


@dataclass(frozen=True)
class FundingUnit:
    """One unit to fund: its kind (for the base), score and grade (for the weight), deduction."""

    unit_id: int
    kind: str
    score: Decimal
    grade: str | None
    deduction: Decimal = ZERO
    eligible: bool = True


@dataclass(frozen=True)
class FundingPlanSpec:
    """The budget and how it is divided: bases per kind, method, grade coefficients, floor, cap."""

    budget: Decimal
    base_by_kind: Mapping[str, Decimal]
    method: Literal["proportional", "grade"]
    grade_coefficients: Mapping[str, Decimal] = field(default_factory=dict)
    floor: Decimal | None = None
    cap: Decimal | None = None


@dataclass(frozen=True)
class UnitAllocation:
    """A unit's funding in yuan (fen precision) and how it was reached."""

    unit_id: int
    kind: str
    eligible: bool
    weight: Decimal
    base: Decimal
    pool_share: Decimal
    redistributed: Decimal
    adjustment: Decimal
    performance: Decimal
    deduction: Decimal
    total: Decimal
    sentences: list[dict[str, Any]]
    detail: list[dict[str, Any]]

    @property
    def steps(self) -> list[str]:
        """How the amount was reached, in the active language."""
        return localized_steps(self.sentences)

    def as_dict(self) -> dict[str, Any]:
        """The allocation for an API response: money as strings with 2 decimals."""
        return {
            "unit_id": self.unit_id,
            "kind": self.kind,
            "eligible": self.eligible,
            "weight": str(self.weight),
            "base": str(self.base),
            "pool_share": str(self.pool_share),
            "redistributed": str(self.redistributed),
            "adjustment": str(self.adjustment),
            "performance": str(self.performance),
            "deduction": str(self.deduction),
            "total": str(self.total),
            "sentences": [dict(item) for item in self.sentences],
            "detail": [dict(item) for item in self.detail],
        }


@dataclass(frozen=True)
class AllocationResult:
    """Allocations of all units, ordered by unit_id; their totals add up to `budget`."""

    budget: Decimal
    pool: Decimal
    deducted: Decimal
    method: str
    units: list[UnitAllocation]

    def unit(self, unit_id: int) -> UnitAllocation:
        """The allocation of one unit; KeyError if it was not part of the plan."""
        for allocation in self.units:
            if allocation.unit_id == unit_id:
                return allocation
        raise KeyError(unit_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "budget": str(self.budget),
            "pool": str(self.pool),
            "deducted": str(self.deducted),
            "method": self.method,
            "units": [unit.as_dict() for unit in self.units],
        }


# --- money ---------------------------------------------------------------------------------------


def _fen(amount: Decimal | int, field: str) -> int:
    """Yuan as integer fen; negative amounts and fractions of a fen are refused."""
    try:
        number = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        number = Decimal("NaN")
    if isinstance(amount, bool | float) or not number.is_finite():
        raise AllocationError(
            "invalid_amount", _("%(field)s must be an amount in yuan.") % {"field": field}, field
        )
    if number < 0:
        raise AllocationError(
            "negative_amount", _("%(field)s must not be negative.") % {"field": field}, field
        )
    numerator, denominator = number.as_integer_ratio()
    if 100 % denominator:
        raise AllocationError(
            "not_whole_fen",
            _("%(field)s must be in whole fen (at most 2 decimals).") % {"field": field},
            field,
        )
    return numerator * (100 // denominator)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def _money(fen: int) -> str:
    """Yuan for a sentence: thousands separated, 2 decimals."""
    return f"{_yuan(fen):,.2f}"


def _number(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# --- division ------------------------------------------------------------------------------------


def _split(amount: int, weights: Sequence[int], ids: Sequence[int]) -> tuple[list[int], list[bool]]:
    """Divide `amount` fen by weight (equally if all are 0) with the largest-remainder method.

    Returns the shares and whether each share received one of the leftover fen. Works for negative
    amounts too: shares are floors of the exact quotient, the leftover fen are added upward.
    """
    total = sum(weights)
    if total == 0:
        weights = [1] * len(weights)
        total = len(weights)
    shares: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        share, remainder = divmod(amount * weight, total)
        shares.append(share)
        remainders.append(remainder)
    bumped = [False] * len(shares)
    left = amount - sum(shares)
    if left:
        by_remainder = sorted(range(len(shares)), key=lambda i: (-remainders[i], ids[i]))
        for index in by_remainder[:left]:
            shares[index] += 1
            bumped[index] = True
    return shares, bumped


def _integer_weights(weights: Sequence[Decimal]) -> list[int]:
    """Decimal weights times their common denominator: exact integers in the same ratios."""
    ratios = [weight.as_integer_ratio() for weight in weights]
    common = math.lcm(*(denominator for _numerator, denominator in ratios)) if ratios else 1
    return [numerator * (common // denominator) for numerator, denominator in ratios]


@dataclass
class _Bounds:
    """Per unit: the water-filling adjustment, the bound it was fixed at, and how it was split."""

    adjustment: list[int]
    fixed_at: list[str | None]  # "floor", "cap" or None
    bumped: list[bool]
    equal: list[bool]


def _water_fill(
    amounts: Sequence[int],
    weights: Sequence[int],
    ids: Sequence[int],
    *,
    floor: int | None,
    cap: int | None,
    budget: int,
) -> _Bounds:
    """Adjust `amounts` (which add up to `budget`) so each lies in [floor, cap], by weight.

    The unfixed units' exact level is ``amount + need × weight / W``; comparisons are done multiplied
    by W so they stay in integers.
    """
    count = len(amounts)
    fixed_at: list[str | None] = [None] * count
    final = list(amounts)
    free = list(range(count))
    fixed_sum = 0
    while free:
        free_weights = [weights[i] for i in free]
        total_weight = sum(free_weights)
        if total_weight == 0:
            free_weights = [1] * len(free)
            total_weight = len(free)
        need = budget - fixed_sum - sum(amounts[i] for i in free)
        low: list[int] = []
        high: list[int] = []
        excess = 0  # (clamped sum − unclamped sum) × W
        for position, i in enumerate(free):
            level = amounts[i] * total_weight + need * free_weights[position]
            if floor is not None and level < floor * total_weight:
                low.append(i)
                excess += floor * total_weight - level
            elif cap is not None and level > cap * total_weight:
                high.append(i)
                excess -= level - cap * total_weight
        if not low and not high:
            shares, bumped = _split(need, free_weights, [ids[i] for i in free])
            equal = sum(weights[i] for i in free) == 0
            result_bumped = [False] * count
            result_equal = [False] * count
            for position, i in enumerate(free):
                final[i] = amounts[i] + shares[position]
                result_bumped[i] = bumped[position] and need != 0
                result_equal[i] = equal and need != 0
            return _Bounds(
                [final[i] - amounts[i] for i in range(count)],
                fixed_at,
                result_bumped,
                result_equal,
            )
        # Clamping would raise the sum: the common level must fall, so units below the floor stay
        # below it; if it would lower the sum the level rises and units above the cap stay above.
        to_fix: list[tuple[int, str, int]] = []
        if excess >= 0 and floor is not None:
            to_fix += [(i, "floor", floor) for i in low]
        if excess <= 0 and cap is not None:
            to_fix += [(i, "cap", cap) for i in high]
        for i, side, bound in to_fix:
            fixed_at[i] = side
            final[i] = bound
            fixed_sum += bound
        fixed = {i for i, _side, _bound in to_fix}
        free = [i for i in free if i not in fixed]
    if fixed_sum != budget:  # pragma: no cover - ruled out by the feasibility checks
        raise AllocationError("bounds_unsatisfiable", _("The floor and cap cannot be met."))
    return _Bounds(
        [final[i] - amounts[i] for i in range(count)], fixed_at, [False] * count, [False] * count
    )


# --- allocation ----------------------------------------------------------------------------------


def allocate(spec: FundingPlanSpec, units: Iterable[FundingUnit]) -> AllocationResult:
    """Divide the budget among the units; see the module docstring for the rules."""
    if spec.method not in METHODS:
        raise AllocationError(
            "unknown_method",
            _("Unknown funding method %(method)s; expected proportional or grade.")
            % {"method": spec.method},
            "method",
        )
    budget = _fen(spec.budget, "budget")
    floor = None if spec.floor is None else _fen(spec.floor, "floor")
    cap = None if spec.cap is None else _fen(spec.cap, "cap")
    if floor is not None and cap is not None and floor > cap:
        raise AllocationError("floor_above_cap", _("The floor is above the cap."), "floor")
    ordered = sorted(units, key=lambda unit: unit.unit_id)
    for previous, unit in zip(ordered, ordered[1:], strict=False):
        if previous.unit_id == unit.unit_id:
            raise AllocationError(
                "duplicate_unit",
                _("Unit %(unit)s is listed twice.") % {"unit": unit.unit_id},
                "units",
            )
    eligible = [unit for unit in ordered if unit.eligible]
    _check_feasible(len(eligible), budget, floor, cap)

    bases = [_base(spec, unit) for unit in eligible]
    pool = budget - sum(bases)
    if pool < 0:
        raise AllocationError(
            "budget_below_base",
            _("The budget %(budget)s is below the sum of the base amounts %(bases)s.")
            % {"budget": _money(budget), "bases": _money(sum(bases))},
            "budget",
        )
    decimal_weights = [_weight(spec, unit) for unit in eligible]
    weights = _integer_weights(decimal_weights)
    ids = [unit.unit_id for unit in eligible]
    pool_shares, pool_bumped = _split(pool, weights, ids)

    requested = [_fen(unit.deduction, "deduction") if unit.deduction else 0 for unit in eligible]
    applied = [
        min(wanted, base + share)
        for wanted, base, share in zip(requested, bases, pool_shares, strict=True)
    ]
    deducted = sum(applied)
    recipients = [i for i, wanted in enumerate(requested) if wanted == 0] or list(
        range(len(eligible))
    )
    redistributed = [0] * len(eligible)
    redistributed_bumped = [False] * len(eligible)
    if deducted:
        shares, bumped = _split(
            deducted, [weights[i] for i in recipients], [ids[i] for i in recipients]
        )
        for position, i in enumerate(recipients):
            redistributed[i] = shares[position]
            redistributed_bumped[i] = bumped[position]
    amounts = [
        base + share + received - taken
        for base, share, received, taken in zip(
            bases, pool_shares, redistributed, applied, strict=True
        )
    ]
    bounds = _water_fill(amounts, weights, ids, floor=floor, cap=cap, budget=budget)

    context = _Context(
        spec=spec,
        pool=pool,
        total_weight=sum(decimal_weights, ZERO),
        all_zero=sum(weights) == 0,
        count=len(eligible),
        deducted=deducted,
        recipients_zero=sum(weights[i] for i in recipients) == 0,
        everyone_deducted=all(requested),
        floor=floor,
        cap=cap,
    )
    allocations: dict[int, UnitAllocation] = {}
    for i, unit in enumerate(eligible):
        allocations[unit.unit_id] = _explain(
            context,
            unit,
            weight=decimal_weights[i],
            base=bases[i],
            pool_share=pool_shares[i],
            pool_bumped=pool_bumped[i],
            requested=requested[i],
            applied=applied[i],
            redistributed=redistributed[i],
            redistributed_bumped=redistributed_bumped[i],
            adjustment=bounds.adjustment[i],
            fixed_at=bounds.fixed_at[i],
            adjustment_bumped=bounds.bumped[i],
            adjustment_equal=bounds.equal[i],
        )
    return AllocationResult(
        budget=_yuan(budget),
        pool=_yuan(pool),
        deducted=_yuan(deducted),
        method=spec.method,
        units=[allocations.get(unit.unit_id) or _ineligible(unit) for unit in ordered],
    )


def _check_feasible(count: int, budget: int, floor: int | None, cap: int | None) -> None:
    if count == 0:
        if budget:
            raise AllocationError(
                "no_eligible_units",
                _("No unit is eligible, so the budget cannot be spent."),
                "units",
            )
        return
    if floor is not None and floor * count > budget:
        raise AllocationError(
            "floors_exceed_budget",
            _("A floor of %(floor)s for %(count)d units needs more than the budget %(budget)s.")
            % {"floor": _money(floor), "count": count, "budget": _money(budget)},
            "floor",
        )
    if cap is not None and cap * count < budget:
        raise AllocationError(
            "caps_below_budget",
            _("A cap of %(cap)s for %(count)d units cannot spend the budget %(budget)s.")
            % {"cap": _money(cap), "count": count, "budget": _money(budget)},
            "cap",
        )


def _base(spec: FundingPlanSpec, unit: FundingUnit) -> int:
    base = spec.base_by_kind.get(unit.kind)
    return 0 if base is None else _fen(base, f"base_by_kind.{unit.kind}")


def _weight(spec: FundingPlanSpec, unit: FundingUnit) -> Decimal:
    """The unit's score, or the coefficient of its grade; never negative."""
    if spec.method == "grade":
        if unit.grade not in spec.grade_coefficients:
            raise AllocationError(
                "unknown_grade",
                _("Unit %(unit)s has grade %(grade)s, which has no coefficient.")
                % {"unit": unit.unit_id, "grade": unit.grade},
                "grade_coefficients",
            )
        weight, where = spec.grade_coefficients[unit.grade], "grade_coefficients"
    else:
        weight, where = unit.score, "score"
    weight = Decimal(weight)
    if not weight.is_finite() or weight < 0:
        raise AllocationError(
            "negative_weight",
            _("Unit %(unit)s has a negative or invalid weight %(weight)s.")
            % {"unit": unit.unit_id, "weight": weight},
            where,
        )
    return weight


# --- explanations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    spec: FundingPlanSpec
    pool: int
    total_weight: Decimal
    all_zero: bool
    count: int
    deducted: int
    recipients_zero: bool
    everyone_deducted: bool
    floor: int | None
    cap: int | None


def _ineligible(unit: FundingUnit) -> UnitAllocation:
    zero = _yuan(0)
    return UnitAllocation(
        unit_id=unit.unit_id,
        kind=unit.kind,
        eligible=False,
        weight=ZERO,
        base=zero,
        pool_share=zero,
        redistributed=zero,
        adjustment=zero,
        performance=zero,
        deduction=zero,
        total=zero,
        sentences=[sentence(gettext_noop("Not eligible for funding in this plan → 0.00 yuan."))],
        detail=[{"step": "ineligible"}, {"step": "total", "amount": str(zero)}],
    )


def _explain(
    context: _Context,
    unit: FundingUnit,
    *,
    weight: Decimal,
    base: int,
    pool_share: int,
    pool_bumped: bool,
    requested: int,
    applied: int,
    redistributed: int,
    redistributed_bumped: bool,
    adjustment: int,
    fixed_at: str | None,
    adjustment_bumped: bool,
    adjustment_equal: bool,
) -> UnitAllocation:
    """Build the unit's allocation with one sentence and one detail item per step taken."""
    steps: list[dict[str, Any]] = []
    detail: list[dict[str, Any]] = []
    if unit.kind in context.spec.base_by_kind:
        steps.append(
            sentence(
                gettext_noop("Base amount for a %(kind)s: %(base)s yuan."),
                kind=unit.kind,
                base=_money(base),
            )
        )
    else:
        steps.append(
            sentence(
                gettext_noop("No base amount is set for a %(kind)s: 0.00 yuan."), kind=unit.kind
            )
        )
    detail.append({"step": "base", "kind": unit.kind, "amount": str(_yuan(base))})

    _explain_pool_share(context, unit, weight, pool_share, pool_bumped, steps, detail)

    if requested:
        if applied < requested:
            steps.append(
                sentence(
                    gettext_noop(
                        "A deduction of %(requested)s yuan exceeds its funding of %(applied)s "
                        "yuan, so only %(applied)s yuan is deducted and the total does not fall "
                        "below zero."
                    ),
                    requested=_money(requested),
                    applied=_money(applied),
                )
            )
        else:
            steps.append(
                sentence(
                    gettext_noop(
                        "Deduction: %(applied)s yuan, returned to the pool for the other units."
                    ),
                    applied=_money(applied),
                )
            )
        detail.append(
            {
                "step": "deduction",
                "requested": str(_yuan(requested)),
                "applied": str(_yuan(applied)),
                "clamped": applied < requested,
            }
        )
    if redistributed:
        _explain_redistribution(context, redistributed, redistributed_bumped, steps, detail)

    if fixed_at == "floor":
        steps.append(
            sentence(
                gettext_noop("Raised to the floor of %(floor)s yuan."),
                floor=_money(context.floor or 0),
            )
        )
        detail.append({"step": "floor", "amount": str(_yuan(adjustment))})
    elif fixed_at == "cap":
        steps.append(
            sentence(gettext_noop("Cut to the cap of %(cap)s yuan."), cap=_money(context.cap or 0))
        )
        detail.append({"step": "cap", "amount": str(_yuan(adjustment))})
    elif adjustment:
        if adjustment_equal:
            text = gettext_noop(
                "Adjusted by %(amount)s yuan, shared equally, so that other units stay within "
                "the floor and cap."
            )
        else:
            text = gettext_noop(
                "Adjusted by %(amount)s yuan, by weight, so that other units stay within the "
                "floor and cap."
            )
        steps.append(sentence(text, amount=_signed(adjustment)))
        if adjustment_bumped:
            steps.append(
                sentence(gettext_noop("Received a remainder fen (+0.01) in this adjustment."))
            )
        detail.append(
            {
                "step": "adjustment",
                "amount": str(_yuan(adjustment)),
                "equal_split": adjustment_equal,
                "remainder_fen": adjustment_bumped,
            }
        )

    performance = pool_share + redistributed + adjustment
    total = base + performance - applied
    steps.append(sentence(gettext_noop("Total: %(total)s yuan."), total=_money(total)))
    detail.append({"step": "total", "amount": str(_yuan(total))})
    return UnitAllocation(
        unit_id=unit.unit_id,
        kind=unit.kind,
        eligible=True,
        weight=weight,
        base=_yuan(base),
        pool_share=_yuan(pool_share),
        redistributed=_yuan(redistributed),
        adjustment=_yuan(adjustment),
        performance=_yuan(performance),
        deduction=_yuan(applied),
        total=_yuan(total),
        sentences=steps,
        detail=detail,
    )


def _signed(fen: int) -> str:
    return ("+" if fen >= 0 else "−") + _money(abs(fen))


def _explain_pool_share(
    context: _Context,
    unit: FundingUnit,
    weight: Decimal,
    share: int,
    bumped: bool,
    steps: list[dict[str, Any]],
    detail: list[dict[str, Any]],
) -> None:
    numbers = {
        "weight": _number(weight),
        "total": _number(context.total_weight),
        "share": _money(share),
        "pool": _money(context.pool),
        "count": context.count,
        "grade": unit.grade,
    }
    if context.all_zero:
        text = gettext_noop(
            "All weights are 0, so the performance pool of %(pool)s yuan is split equally among "
            "%(count)d units → %(share)s yuan."
        )
    elif context.spec.method == "grade":
        text = gettext_noop(
            "Grade %(grade)s → coefficient %(weight)s of a total weight %(total)s → %(share)s "
            "yuan of the performance pool of %(pool)s yuan."
        )
    else:
        text = gettext_noop(
            "Score %(weight)s of a total weight %(total)s → %(share)s yuan of the performance "
            "pool of %(pool)s yuan."
        )
    steps.append(sentence(text, **numbers))
    if bumped:
        steps.append(
            sentence(gettext_noop("Received a remainder fen (+0.01) when the pool was divided."))
        )
    detail.append(
        {
            "step": "pool_share",
            "method": context.spec.method,
            "grade": unit.grade if context.spec.method == "grade" else None,
            "weight": _number(weight),
            "total_weight": _number(context.total_weight),
            "equal_split": context.all_zero,
            "pool": str(_yuan(context.pool)),
            "amount": str(_yuan(share)),
            "remainder_fen": bumped,
        }
    )


def _explain_redistribution(
    context: _Context,
    received: int,
    bumped: bool,
    steps: list[dict[str, Any]],
    detail: list[dict[str, Any]],
) -> None:
    numbers = {"amount": _money(received), "deducted": _money(context.deducted)}
    if context.everyone_deducted:
        text = gettext_noop(
            "Every unit had a deduction, so the %(deducted)s yuan deducted is shared among all "
            "units by weight → %(amount)s yuan."
        )
    elif context.recipients_zero:
        text = gettext_noop(
            "Received %(amount)s yuan of the %(deducted)s yuan deducted from other units, shared "
            "equally among the units without a deduction."
        )
    else:
        text = gettext_noop(
            "Received %(amount)s yuan of the %(deducted)s yuan deducted from other units, by weight."
        )
    steps.append(sentence(text, **numbers))
    if bumped:
        steps.append(
            sentence(
                gettext_noop("Received a remainder fen (+0.01) when the deducted money was shared.")
            )
        )
    detail.append(
        {
            "step": "redistribution",
            "deducted": str(_yuan(context.deducted)),
            "amount": str(_yuan(received)),
            "equal_split": context.recipients_zero,
            "remainder_fen": bumped,
        }
    )


def _kind_label(kind: str) -> str:
    from ipps.network.choices import UnitKind

    if kind not in UnitKind.values:
        return kind
    label = str(UnitKind(kind).label)
    return label[:1].lower() + label[1:]  # in the middle of a sentence


def localized_steps(sentences: Iterable[dict | str]) -> list[str]:
    """Stored sentences of an allocation (or deduction lines) in the active language."""
    return [say(item, kind=_kind_label) for item in sentences]


def localized_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored allocation row (a simulation's or a published plan's) with `steps` and
    `deduction_lines` in the active language; rows stored before sentences were kept as data
    already hold text and are returned with it."""
    out = dict(row)
    out["steps"] = localized_steps(row.get("sentences") or row.get("steps") or [])
    out["deduction_lines"] = localized_steps(
        row.get("deduction_sentences") or row.get("deduction_lines") or []
    )
    out.pop("sentences", None)
    out.pop("deduction_sentences", None)
    return out
