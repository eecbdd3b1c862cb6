"""Forms of the enterprise pages. They parse and render; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ipps.core import ids
from ipps.core.errors import ServiceError
from ipps.enterprises import industry, selectors
from ipps.enterprises.choices import Designation, IPKind, LegalStatus, PrioritySource, Size, Stage
from ipps.enterprises.models import Enterprise, IPAsset
from ipps.network.choices import District
from ipps.network.models import ServiceUnit
from ipps.network.scope import unit_ids_for


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget; fields with errors are marked invalid."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def add_service_errors(form: forms.Form, exc: Exception) -> None:
    """Put a service's ValidationError or ServiceError on the form, on the field it names."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            field = name if name in form.fields else None
            for message in messages:
                form.add_error(field, message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    elif isinstance(exc, ServiceError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:  # pragma: no cover - callers pass only the two kinds above
        raise exc
    _style(form)


def industry_choices(blank: str) -> list[Any]:
    """Sections first, then the divisions grouped under their section."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in industry.DIVISIONS:
        groups.setdefault(industry.DIVISIONS[code][0], []).append(
            (code, industry.division_label(code))
        )
    choices: list[Any] = [("", blank), (_("Sections"), industry.section_choices())]
    for section, divisions in groups.items():
        choices.append((industry.section_label(section), divisions))
    return choices


def division_choices() -> list[Any]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in industry.DIVISIONS:
        groups.setdefault(industry.DIVISIONS[code][0], []).append(
            (code, industry.division_label(code))
        )
    return [("", "—")] + [(industry.section_label(s), d) for s, d in groups.items()]


def unit_choices(queryset) -> list[tuple[str, str]]:
    return [(str(u.pk), f"{u.code} · {u.name}") for u in queryset.order_by("code")]


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, English name or USCC"),
                "autocomplete": "off",
            }
        ),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    district = forms.ChoiceField(label=_("District"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    size = forms.ChoiceField(label=_("Size"), required=False)
    priority_year = forms.TypedChoiceField(
        label=_("Priority list"), required=False, coerce=int, empty_value=None
    )
    include_archived = forms.BooleanField(label=_("Include archived"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = unit_ids_for(user)
        units = ServiceUnit.objects.all() if ids is None else ServiceUnit.objects.filter(pk__in=ids)
        self.fields["unit"].choices = [("", _("All units"))] + unit_choices(units)
        self.fields["district"].choices = [("", _("All districts")), *District.choices]
        self.fields["industry"].choices = industry_choices(str(_("All industries")))
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]
        self.fields["size"].choices = [("", _("All sizes")), *Size.choices]
        years = selectors.priority_years(user=user)
        self.fields["priority_year"].choices = [("", _("Any"))] + [
            (str(y), _("On the %(year)s list") % {"year": y}) for y in years
        ]
        _style(self)

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a bad value in one field does not empty the whole list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        keys = (
            "q",
            "unit",
            "district",
            "industry",
            "stage",
            "size",
            "priority_year",
            "include_archived",
        )
        return {k: data[k] for k in keys if data.get(k) not in (None, "")}


class PriorityFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, English name or USCC"),
                "autocomplete": "off",
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        years = selectors.priority_years(user=user)
        asked = str((self.data or {}).get("year") or "")
        if asked.isdigit() and 2000 <= int(asked) <= 2100 and int(asked) not in years:
            years = sorted({*years, int(asked)}, reverse=True)
        self.fields["year"].choices = [(str(y), str(y)) for y in years]
        ids = unit_ids_for(user)
        units = ServiceUnit.objects.all() if ids is None else ServiceUnit.objects.filter(pk__in=ids)
        self.fields["unit"].choices = [("", _("All units"))] + unit_choices(units)
        _style(self)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        result = {k: data[k] for k in ("unit", "q") if data.get(k) not in (None, "")}
        result["year"] = data.get("year") or selectors.this_year()
        return result


def _model_label(name: str, model=Enterprise) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


class EnterpriseForm(forms.Form):
    uscc = forms.CharField(
        label=_model_label("uscc"),
        max_length=40,
        help_text=_(
            "18 characters, e.g. 91110000600037341L; spaces and full-width characters are fine."
        ),
    )
    name = forms.CharField(label=_model_label("name"), max_length=200)
    name_en = forms.CharField(label=_model_label("name_en"), max_length=200, required=False)
    workstation = forms.TypedChoiceField(label=_model_label("workstation"), coerce=int)
    district = forms.ChoiceField(
        label=_model_label("district"),
        required=False,
        help_text=_("Leave empty to use the district of the responsible unit."),
    )
    park = forms.CharField(label=_model_label("park"), max_length=200, required=False)
    industry_section = forms.ChoiceField(label=_model_label("industry_section"), required=False)
    industry_division = forms.ChoiceField(
        label=_model_label("industry_division"),
        required=False,
        help_text=_("Choosing a division sets its section."),
    )
    stage = forms.ChoiceField(label=_model_label("stage"), required=False)
    size = forms.ChoiceField(label=_model_label("size"), required=False)
    designations = forms.MultipleChoiceField(
        label=_model_label("designations"),
        required=False,
        choices=Designation.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    founded_on = forms.DateField(
        label=_model_label("founded_on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    address = forms.CharField(label=_model_label("address"), max_length=300, required=False)
    contact_name = forms.CharField(
        label=_model_label("contact_name"), max_length=100, required=False
    )
    contact_phone = forms.CharField(
        label=_model_label("contact_phone"), max_length=40, required=False
    )
    contact_email = forms.EmailField(label=_model_label("contact_email"), required=False)

    def __init__(self, *args, user, enterprise: Enterprise | None = None, **kwargs):
        if enterprise is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(enterprise, name)
                for name in self.base_fields
                if name != "workstation"
            } | {"workstation": enterprise.workstation_id}
        super().__init__(*args, **kwargs)
        units = selectors.editable_units(user)
        choices = unit_choices(units)
        if enterprise is not None and str(enterprise.workstation_id) not in {c[0] for c in choices}:
            # Keep the current unit selectable even if the editor reaches it through another role.
            current = enterprise.workstation
            choices.insert(0, (str(current.pk), f"{current.code} · {current.name}"))
        self.fields["workstation"].choices = [("", "—"), *choices]
        self.fields["district"].choices = [("", "—"), *District.choices]
        self.fields["industry_section"].choices = [("", "—"), *industry.section_choices()]
        self.fields["industry_division"].choices = division_choices()
        self.fields["stage"].choices = [("", "—"), *Stage.choices]
        self.fields["size"].choices = [("", "—"), *Size.choices]
        _style(self)

    def clean_uscc(self) -> str:
        """Checked here too, so that a bad code is reported together with the other errors."""
        try:
            return ids.normalize_uscc(self.cleaned_data["uscc"])
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def changes(self, enterprise: Enterprise | None = None) -> dict[str, Any]:
        """The cleaned values; for an edit only those that differ from the record."""
        data = dict(self.cleaned_data)
        if enterprise is None:
            return data
        current = {name: getattr(enterprise, name) for name in data if name != "workstation"}
        current["workstation"] = enterprise.workstation_id
        return {k: v for k, v in data.items() if current.get(k) != v}


class IPAssetForm(forms.Form):
    kind = forms.ChoiceField(label=_model_label("kind", IPAsset), choices=IPKind.choices)
    number = forms.CharField(
        label=_model_label("number", IPAsset),
        max_length=64,
        required=False,
        help_text=_("Patents: the application number, e.g. CN200710308494.X."),
    )
    title = forms.CharField(label=_model_label("title", IPAsset), max_length=300)
    filing_date = forms.DateField(
        label=_model_label("filing_date", IPAsset),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    grant_date = forms.DateField(
        label=_model_label("grant_date", IPAsset),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    legal_status = forms.ChoiceField(
        label=_model_label("legal_status", IPAsset),
        choices=LegalStatus.choices,
        initial=LegalStatus.PENDING,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PriorityAddForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=PrioritySource.choices)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {"year": selectors.this_year(), "source": selectors.default_priority_source(user)},
        )
        super().__init__(*args, **kwargs)
        _style(self)


class ArchiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
