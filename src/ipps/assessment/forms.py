"""Forms of the assessment pages. They collect what people type and keep it on errors; the
services validate the values (numbers, maxima, required comments) and the views put the
service's error on the field it names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ipps.assessment.choices import FundingMethod
from ipps.assessment.models import FundingPlan, IndicatorScore, Scheme
from ipps.assessment.rules import fmt
from ipps.assessment.services import DEDUCTION_MEASURES
from ipps.enterprises.forms import _style
from ipps.network.choices import UnitKind

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
FUNDED_KINDS = (UnitKind.WORKSTATION, UnitKind.DISTRICT_CENTRE, UnitKind.MUNICIPAL_CENTRE)
DEDUCTION_ROWS = 3
MEASURE_LABELS = {
    "late_reports": _("Late monthly reports (per report)"),
    "missing_reports": _("Missing monthly reports (per report)"),
    "indicator_shortfall": _("Shortfall on an indicator (per point)"),
}
SCORE_PATH = re.compile(r"^scores\[(\d+)\]\.(\w+)$")
DEDUCTION_PATH = re.compile(r"^deductions\[(\d+)\]\.(\w+)$")
COEFFICIENT = re.compile(r"([^=:：\s]+)\s*[=:：]\s*(\S+)")


def _number_input() -> forms.TextInput:
    return forms.TextInput(attrs=dict(DECIMAL))


def _text_area(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# Schemes --------------------------------------------------------------------------------------


class SchemeUploadForm(forms.Form):
    """A scheme file to import as a new draft, or to replace a draft's definition."""

    file = forms.FileField(
        label=_("Scheme file (YAML)"),
        help_text=_("Format 1; see the example scheme. At most 512 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


# Evaluations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One input of a per-indicator form: the form field's name, the indicator and the key the
    service expects for it."""

    name: str
    indicator: str
    key: str


class IndicatorForm(forms.Form):
    """A form with some inputs per indicator of a scheme; subclasses say which. Rows are
    rendered in a table, so each indicator's bound fields are grouped in `rows()`."""

    def __init__(self, *args, indicators: Iterable[Mapping], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.inputs: list[Input] = []
        for indicator in self.indicators:
            for key, field in self.fields_for(indicator):
                name = f"{key}_{indicator['code']}"
                self.fields[name] = field
                self.inputs.append(Input(name, indicator["code"], key))
        _style(self)

    def fields_for(self, indicator: Mapping) -> list[tuple[str, forms.Field]]:
        raise NotImplementedError

    def rows(self) -> list[tuple[Mapping, dict[str, forms.BoundField]]]:
        by_code: dict[str, dict[str, forms.BoundField]] = {}
        for item in self.inputs:
            by_code.setdefault(item.indicator, {})[item.key] = self[item.name]
        return [(i, by_code.get(i["code"], {})) for i in self.indicators]

    def convert(self, key: str, raw: Any) -> Any:
        return raw

    def scores(self, posted: Iterable[str]) -> tuple[list[dict], list[str]]:
        """The service's `scores` list and the indicator code of each item (to put the service's
        errors back on the right field). Only inputs that were posted and differ from what is
        stored are sent, so an untouched indicator is neither rewritten nor stamped as reviewed."""
        posted = set(posted) & set(self.changed_data)
        items: dict[str, dict] = {}
        for item in self.inputs:
            if item.name in posted:
                value = self.convert(item.key, self.cleaned_data.get(item.name))
                items.setdefault(item.indicator, {"indicator": item.indicator})[item.key] = value
        return list(items.values()), list(items)

    def add_score_error(self, field: str | None, codes: list[str], message: str) -> bool:
        """Put an error the service named `scores[i].<key>` on the input it came from; False
        when it names no input (the page shows it above the form instead)."""
        match = SCORE_PATH.match(field or "")
        if not match or int(match[1]) >= len(codes):
            return False
        name = f"{match[2]}_{codes[int(match[1])]}"
        if name not in self.fields:
            return False
        self.add_error(name, message)
        _style(self)
        return True


def is_manual_value(indicator: Mapping) -> bool:
    """Indicators whose value people enter (a judgement is entered as yes/no instead)."""
    return indicator["value"]["source"] == "manual" and indicator["rule"]["type"] != "judgement"


def scores_by_indicator(evaluation) -> dict[str, IndicatorScore]:
    return {s.indicator: s for s in evaluation.scores.all()}


def _plain(value: Any) -> str:
    return "" if value is None else fmt(value)


class SelfAssessmentForm(IndicatorForm):
    """The unit's own score, hand-entered value and evidence per indicator. Deductions get no
    self score: the points they take away are not the unit's to claim."""

    def fields_for(self, indicator):
        fields = []
        if indicator["rule"]["type"] != "deduction":
            fields.append(
                (
                    "score",
                    forms.CharField(label=_("Self score"), required=False, widget=_number_input()),
                )
            )
        if is_manual_value(indicator):
            fields.append(
                ("value", forms.CharField(label=_("Value"), required=False, widget=_number_input()))
            )
        fields.append(
            (
                "evidence",
                forms.CharField(
                    label=_("Evidence"), required=False, max_length=5000, widget=_text_area()
                ),
            )
        )
        return fields

    @staticmethod
    def initial_from(scores: Mapping[str, IndicatorScore]) -> dict[str, str]:
        initial = {}
        for code, score in scores.items():
            initial[f"score_{code}"] = _plain(score.self_score)
            initial[f"value_{code}"] = _plain(score.self_value)
            initial[f"evidence_{code}"] = score.evidence
        return initial


JUDGEMENTS = {"": None, "yes": True, "no": False}


class ReviewForm(IndicatorForm):
    """The reviewer's score (or yes/no judgement, or value) and comment per indicator."""

    def fields_for(self, indicator):
        rule = indicator["rule"]["type"]
        fields = []
        if rule == "judgement":
            fields.append(
                (
                    "judgement",
                    forms.ChoiceField(
                        label=_("Judgement"),
                        required=False,
                        choices=[("", "—"), ("yes", _("Met")), ("no", _("Not met"))],
                    ),
                )
            )
        if is_manual_value(indicator):
            fields.append(
                ("value", forms.CharField(label=_("Value"), required=False, widget=_number_input()))
            )
        if rule != "deduction":
            fields.append(
                (
                    "score",
                    forms.CharField(
                        label=_("Reviewer's score"), required=False, widget=_number_input()
                    ),
                )
            )
        fields.append(
            (
                "comment",
                forms.CharField(
                    label=_("Comment"), required=False, max_length=5000, widget=_text_area()
                ),
            )
        )
        return fields

    def convert(self, key, raw):
        return JUDGEMENTS.get(raw or "") if key == "judgement" else raw

    @staticmethod
    def initial_from(scores: Mapping[str, IndicatorScore]) -> dict[str, str]:
        initial = {}
        for code, score in scores.items():
            initial[f"score_{code}"] = _plain(score.review_score)
            initial[f"value_{code}"] = _plain(score.review_value)
            initial[f"judgement_{code}"] = {True: "yes", False: "no"}.get(
                score.review_judgement, ""
            )
            initial[f"comment_{code}"] = score.review_comment
        return initial


class AppealForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=_text_area(4),
        help_text=_("Say what you think is wrong and why; attach nothing, cite your evidence."),
    )

    def __init__(self, *args, indicators: Iterable[Mapping], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [
            ("", _("The evaluation as a whole")),
            *[(i["code"], f"{i['code']} {i['name']}") for i in indicators],
        ]
        _style(self)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("no", _("Reject the appeal")), ("yes", _("Uphold the appeal"))],
        coerce=lambda v: v == "yes",
    )
    decision = forms.CharField(
        label=_("Reasons"), max_length=5000, required=False, widget=_text_area(3)
    )
    score = forms.CharField(
        label=_("New score"),
        required=False,
        widget=_number_input(),
        help_text=_("When upheld: the indicator's new score."),
    )

    def __init__(self, *args, with_score: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_score:
            del self.fields["score"]
        _style(self)


# Funding --------------------------------------------------------------------------------------


def parse_coefficients(text: str) -> dict[str, str]:
    """Parse "excellent=1.2, good=1.0" into {"excellent": "1.2", "good": "1.0"}; ValueError when a part
    is not grade=number. The numbers are checked by the service."""
    result: dict[str, str] = {}
    for part in re.split(r"[,;，；\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = COEFFICIENT.fullmatch(part)
        if match is None or match[1] in result:
            raise ValueError(part)
        result[match[1]] = match[2]
    return result


def format_coefficients(coefficients: Mapping[str, Any]) -> str:
    return ", ".join(f"{grade}={value}" for grade, value in coefficients.items())


class PlanForm(forms.Form):
    """A funding plan's parameters; `scheme` only when the plan is created."""

    scheme = forms.ModelChoiceField(label=_("Assessment scheme"), queryset=Scheme.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    budget = forms.CharField(label=_("Budget (yuan)"), widget=_number_input())
    method = forms.ChoiceField(label=_("Method"), choices=FundingMethod.choices)
    grade_coefficients = forms.CharField(
        label=_("Grade coefficients"),
        required=False,
        help_text=_("For the grade method: grade=coefficient, separated by commas."),
        widget=forms.TextInput(attrs={"placeholder": "excellent=1.2, good=1.0, pass=0.8, fail=0"}),
    )
    floor = forms.CharField(label=_("Floor (yuan)"), required=False, widget=_number_input())
    cap = forms.CharField(label=_("Cap (yuan)"), required=False, widget=_number_input())

    def __init__(self, *args, schemes=None, plan: FundingPlan | None = None, **kwargs):
        if plan is not None:
            kwargs.setdefault("initial", initial_from_plan(plan))
        super().__init__(*args, **kwargs)
        if plan is not None:
            del self.fields["scheme"]
        else:
            self.fields["scheme"].queryset = schemes
        for kind in FUNDED_KINDS:
            self.fields[f"base_{kind.value}"] = forms.CharField(
                label=kind.label, required=False, widget=_number_input()
            )
        rows = max(DEDUCTION_ROWS, len(plan.deductions) if plan else 0)
        self.deduction_count = rows
        for i in range(rows):
            self.fields[f"deduction_{i}_measure"] = forms.ChoiceField(
                label=_("Measure"),
                required=False,
                choices=[("", "—"), *[(m, MEASURE_LABELS[m]) for m in DEDUCTION_MEASURES]],
            )
            self.fields[f"deduction_{i}_name"] = forms.CharField(
                label=_("Name"), required=False, max_length=200
            )
            self.fields[f"deduction_{i}_indicator"] = forms.CharField(
                label=_("Indicator code"), required=False, max_length=32
            )
            self.fields[f"deduction_{i}_amount"] = forms.CharField(
                label=_("Amount per unit (yuan)"), required=False, widget=_number_input()
            )
            self.fields[f"deduction_{i}_cap"] = forms.CharField(
                label=_("Cap (yuan)"), required=False, widget=_number_input()
            )
        self._rows: list[int] = []
        _style(self)

    def base_fields_bound(self) -> list[forms.BoundField]:
        return [self[f"base_{kind.value}"] for kind in FUNDED_KINDS]

    def deduction_rows(self) -> list[dict[str, forms.BoundField]]:
        keys = ("measure", "name", "indicator", "amount", "cap")
        return [{k: self[f"deduction_{i}_{k}"] for k in keys} for i in range(self.deduction_count)]

    def clean_grade_coefficients(self) -> dict[str, str]:
        try:
            return parse_coefficients(self.cleaned_data.get("grade_coefficients", ""))
        except ValueError as exc:
            raise forms.ValidationError(
                _(
                    "Write each grade as grade=coefficient, separated by commas, e.g. "
                    "excellent=1.2, good=1.0 (not understood: %(part)s)."
                ),
                params={"part": str(exc)},
                code="bad_coefficients",
            ) from None

    def clean(self):
        data = super().clean()
        for i in range(self.deduction_count):
            measure = data.get(f"deduction_{i}_measure")
            filled = any(
                data.get(f"deduction_{i}_{k}") for k in ("name", "indicator", "amount", "cap")
            )
            if filled and not measure:
                self.add_error(f"deduction_{i}_measure", _("Choose what the deduction counts."))
        return data

    def service_data(self) -> dict[str, Any]:
        """The plan's data as the services take it (plan_create / plan_update)."""
        data = self.cleaned_data
        result: dict[str, Any] = {
            "name": data["name"],
            "budget": data["budget"],
            "method": data["method"],
            "grade_coefficients": data["grade_coefficients"],
            "floor": data["floor"] or None,
            "cap": data["cap"] or None,
            "base_by_kind": {
                kind.value: data[f"base_{kind.value}"]
                for kind in FUNDED_KINDS
                if data.get(f"base_{kind.value}")
            },
        }
        if "scheme" in self.fields:
            result["scheme"] = data["scheme"].pk
        deductions, self._rows = [], []
        for i in range(self.deduction_count):
            measure = data.get(f"deduction_{i}_measure")
            if not measure:
                continue
            item = {
                "measure": measure,
                "name": data[f"deduction_{i}_name"] or str(MEASURE_LABELS[measure]),
                "amount": data[f"deduction_{i}_amount"],
                "cap": data[f"deduction_{i}_cap"] or None,
            }
            if measure == "indicator_shortfall":
                item["indicator"] = data[f"deduction_{i}_indicator"]
            deductions.append(item)
            self._rows.append(i)
        result["deductions"] = deductions
        return result

    def add_plan_error(self, field: str | None, message: str) -> None:
        """Put an error the service named (`base_by_kind.workstation`, `deductions[1].amount`,
        `grade_coefficients.good`) on the input it came from."""
        name: str | None = field
        if field:
            match = DEDUCTION_PATH.match(field)
            if match and int(match[1]) < len(self._rows):
                name = f"deduction_{self._rows[int(match[1])]}_{match[2]}"
            elif field.startswith("base_by_kind."):
                name = f"base_{field.split('.', 1)[1]}"
            elif field.startswith("grade_coefficients"):
                name = "grade_coefficients"
        self.add_error(name if name in self.fields else None, message)
        _style(self)


def initial_from_plan(plan: FundingPlan) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": plan.name,
        "budget": plan.budget,
        "method": plan.method,
        "grade_coefficients": format_coefficients(plan.grade_coefficients),
        "floor": plan.floor,
        "cap": plan.cap,
    }
    for kind, amount in plan.base_by_kind.items():
        initial[f"base_{kind}"] = amount
    for i, item in enumerate(plan.deductions):
        for key in ("measure", "name", "indicator", "amount", "cap"):
            initial[f"deduction_{i}_{key}"] = item.get(key, "")
    return initial
