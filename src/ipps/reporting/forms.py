from django import forms
from django.utils.translation import gettext_lazy as _

from ipps.enterprises.forms import _style
from ipps.ledger.stats import OWN_FIGURES
from ipps.reporting.choices import ReportStatus
from ipps.reporting.models import MonthlyReport
from ipps.reporting.selectors import FIGURE_LABELS, REPORTING_KINDS


class MonthField(forms.DateField):
    """A month as YYYY-MM (an <input type="month">), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class ReportFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *ReportStatus.choices],
    )
    level = forms.ChoiceField(
        label=_("Unit kind"),
        required=False,
        choices=[("", _("All kinds")), *[(k.value, k.label) for k in REPORTING_KINDS]],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "month": data.get("month"),
            "status": data.get("status") or None,
            "kind": data.get("level") or None,
            "overdue": data.get("overdue") or None,
        }


class NarrativeForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = MonthlyReport
        fields = ["work_done", "notable_cases", "problems", "next_plan"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class AdjustmentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    figure = forms.ChoiceField(
        label=_("Figure"), choices=[(k, FIGURE_LABELS[k]) for k in OWN_FIGURES]
    )
    amount = forms.IntegerField(
        label=_("Amount"), help_text=_("Added to the ledger figure; negative to reduce it.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompletenessForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)
    level = forms.ChoiceField(
        label=_("Unit kind"),
        required=False,
        choices=[("", _("All kinds")), *[(k.value, k.label) for k in REPORTING_KINDS]],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end month is before the start month."))
        return data
