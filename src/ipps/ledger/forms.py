"""The dashboards' period selector and the drill-down filters, read from the query string."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipps.core.choices import ChainStage, Channel, IPType
from ipps.core.errors import ServiceError
from ipps.ledger.choices import RecordKind
from ipps.ledger.stats import Period, parse_period

PERIOD_CHOICES = [
    ("ytd", _("Year to date")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("Custom range")),
]
QUARTER_CHOICES = [("1", _("Q1")), ("2", _("Q2")), ("3", _("Q3")), ("4", _("Q4"))]
SORT_CHOICES = [
    ("code", _("Unit code")),
    ("-quantity", _("Quantity, highest first")),
    ("quantity", _("Quantity, lowest first")),
    ("-enterprises", _("Enterprises served, most first")),
    ("enterprises", _("Enterprises served, fewest first")),
]
COMPARE_CHOICES = [("", _("No comparison")), ("previous_year", _("Previous year"))]


def _rename(form_class, old: str, new: str) -> None:
    """Query-string names that are Python keywords (`from`)."""
    form_class.base_fields[new] = form_class.base_fields.pop(old)


class DashboardForm(forms.Form):
    """`?unit=&period=month|quarter|year|custom|ytd&month=&year=&quarter=&from=&to=&compare=`."""

    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("YYYY-MM"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    compare = forms.ChoiceField(label=_("Compare"), choices=COMPARE_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=RecordKind.choices, required=False, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(
        label=_("Sort"), choices=SORT_CHOICES, required=False, widget=forms.HiddenInput
    )

    def __init__(self, data=None, *, today: dt.date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.period: Period | None = None
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                small = isinstance(field, forms.ChoiceField)
                field.widget.attrs["class"] = (
                    "form-select form-select-sm" if small else "form-control form-control-sm"
                )

    def _month(self, value: str) -> Period:
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return Period.month(year, month)
        except (ValueError, TypeError):
            raise forms.ValidationError(
                {"month": _("Enter a month as YYYY-MM.")}, code="bad_month"
            ) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        kind = data.get("period") or "ytd"
        year = data.get("year") or self.today.year
        try:
            if kind == "month":
                self.period = self._month(data.get("month") or f"{self.today:%Y-%m}")
            elif kind == "quarter":
                default_q = (self.today.month - 1) // 3 + 1
                self.period = Period.quarter(year, int(data.get("quarter") or default_q))
            elif kind == "year":
                self.period = Period.year(year)
            elif kind == "custom":
                self.period = parse_period(data.get("from"), data.get("to"))
            else:
                self.period = Period.year_to_date(self.today)
        except ServiceError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        return data

    @property
    def compare_previous_year(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("compare") == "previous_year"


_rename(DashboardForm, "date_from", "from")
_rename(DashboardForm, "date_to", "to")


class DrillForm(forms.Form):
    """`?unit=&from=&to=&kind=&ip_type=&chain_stage=&channel=`: one figure and its rows."""

    unit = forms.IntegerField(required=False)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    kind = forms.ChoiceField(choices=RecordKind.choices, required=False)
    ip_type = forms.ChoiceField(choices=IPType.choices, required=False)
    chain_stage = forms.ChoiceField(choices=ChainStage.choices, required=False)
    channel = forms.ChoiceField(choices=Channel.choices, required=False)

    FILTERS = ("kind", "ip_type", "chain_stage", "channel")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.period: Period | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.period = parse_period(data.get("from"), data.get("to"))
        except ServiceError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    def filters(self) -> dict[str, str]:
        return {k: self.cleaned_data[k] for k in self.FILTERS if self.cleaned_data.get(k)}


_rename(DrillForm, "date_from", "from")
_rename(DrillForm, "date_to", "to")
