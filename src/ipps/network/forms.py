"""Forms of the network pages: the directory filters and the unit edit form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.network.choices import District, UnitKind, UnitStatus
from ipps.network.models import ServiceUnit

EDIT_FIELDS = [
    "name_zh",
    "name_en",
    "kind",
    "parent",
    "host_park",
    "district",
    "region",
    "address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "opening_hours",
    "offers_offline",
    "offers_online",
    "online_url",
    "calendar_weekend_fallback",
    "opened_on",
    "status",
]


def unit_formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def _blank(choices, label):
    return [("", label), *choices]


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(UnitKind.choices, _("All kinds"))
    )
    district = forms.ChoiceField(
        label=_("District"), required=False, choices=_blank(District.choices, _("All districts"))
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(UnitStatus.choices, _("Any status"))
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class UnitEditForm(forms.Form):
    """The editable profile of a unit; the service (unit_update) decides what is valid."""

    status_on = forms.DateField(
        label=_("Status changed on"),
        required=False,
        help_text=_("When the status changes: the date it takes effect. Today if left empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, unit: ServiceUnit, parent_choices, **kwargs):
        initial = {name: getattr(unit, name) for name in EDIT_FIELDS}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        model_fields = forms.fields_for_model(
            ServiceUnit, fields=EDIT_FIELDS, formfield_callback=unit_formfield
        )
        status_on = self.fields.pop("status_on")
        for name in EDIT_FIELDS:
            self.fields[name] = model_fields[name]
        self.fields["status_on"] = status_on
        self.fields["parent"].queryset = parent_choices
        self.fields["parent"].required = False
        self.fields["parent"].label_from_instance = lambda u: f"{u.code} · {u.name}"
        self.fields["opened_on"].widget = forms.DateInput(attrs={"type": "date"})
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def changes(self) -> dict:
        return dict(self.cleaned_data)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put each error of the service on its field, or on the form when it has no such field."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)
