from django import forms
from django.utils.translation import gettext_lazy as _

from ipps.core.choices import AuditAction
from ipps.core.selectors import AuditFilter, audit_object_types


class AuditFilterForm(forms.Form):
    """The audit log's filters (all optional, read from the query string)."""

    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditAction.choices]
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"list": "audit-object-types", "placeholder": "enterprises.enterprise"}
        ),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Object contains"),
        required=False,
        max_length=100,
        help_text=_("Text in the object's description."),
    )

    @staticmethod
    def object_types() -> list[str]:
        return audit_object_types()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_filter(self) -> AuditFilter:
        """The filters that are valid; invalid ones are ignored (their errors are shown)."""
        data = self.cleaned_data if self.is_bound else {}
        return AuditFilter(
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            object_type=(data.get("object_type") or "").strip().lower(),
            object_id=(data.get("object_id") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            text=(data.get("q") or "").strip(),
        )
