"""Forms of the case-file panel. They parse and render; the services in cases.py validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ipps.casework.choices import CaseOutcome, CaseRoute, Stability
from ipps.enterprises.forms import _style
from ipps.enterprises.models import IPAsset


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # a bound form is styled once validated (styling reads the errors)
            _style(self)

    def full_clean(self):
        super().full_clean()
        _style(self)


class CaseForm(_Styled):
    counterpart_name = forms.CharField(label=_("Counterpart"), max_length=200, required=False)
    counterpart_details = forms.CharField(
        label=_("Counterpart details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Address, website, shop or platform, products concerned."),
    )
    stability = forms.ChoiceField(
        label=_("Stability of the right"),
        choices=[("", _("Not assessed")), *Stability.choices],
        required=False,
    )
    stability_basis = forms.CharField(
        label=_("Basis of the assessment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Prior art searched, claims compared, opinions relied on."),
    )
    stability_assessor = forms.CharField(
        label=_("Assessed by"),
        max_length=100,
        required=False,
        help_text=_("Left empty: you."),
    )
    stability_assessed_on = forms.DateField(
        label=_("Assessed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Left empty: today."),
    )
    route = forms.ChoiceField(
        label=_("Recommended route"),
        choices=[("", _("Not decided")), *CaseRoute.choices],
        required=False,
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseOutcome.choices)
    outcome_notes = forms.CharField(
        label=_("Outcome notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def changes(self, case) -> dict:
        """Only the fields whose value differs from the case file."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if (getattr(case, name) or None) != (value or None)
        }


class FactForm(_Styled):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2})
    )


class EvidenceForm(_Styled):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("What it shows"), max_length=300)
    obtained_on = forms.DateField(
        label=_("Obtained on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    internal = forms.BooleanField(label=_("Internal (not shown to the enterprise)"), required=False)


class RightsForm(_Styled):
    rights = forms.ModelMultipleChoiceField(
        label=_("Rights involved"),
        queryset=IPAsset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprise is not None:
            self.fields["rights"].queryset = IPAsset.objects.filter(
                enterprise=enterprise, archived_at__isnull=True
            )
