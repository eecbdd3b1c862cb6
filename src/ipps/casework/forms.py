"""Forms of the request pages. They parse and render; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ipps.casework.choices import Category, Priority, RequestStatus
from ipps.casework.models import Article, Expert
from ipps.core.choices import ChainStage, Channel, IPType
from ipps.enterprises.forms import _style, add_service_errors
from ipps.enterprises.models import Enterprise
from ipps.network.choices import EDITOR_ROLES, UnitKind
from ipps.network.models import ServiceUnit
from ipps.network.scope import unit_ids_for

__all__ = ["add_service_errors"]

# How many enterprises the intake form offers at once; typing narrows the list.
ENTERPRISE_CHOICES_LIMIT = 50

QUEUE_TABS = ("mine", "unit", "escalated", "all")
STAFF_CHANNELS = [c for c in Channel.choices if c[0] not in (Channel.PORTAL, Channel.API)]


def _blank(choices, label=None):
    return [("", label or "—"), *choices]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, fields with errors marked once the form is validated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._styled = False

    def full_clean(self):
        super().full_clean()
        _style(self)

    def __iter__(self):
        if not self._styled and self._errors is None:
            _style(self)  # unbound or not yet validated: no errors to read
            self._styled = True
        return super().__iter__()

    def __getitem__(self, name):
        if not self._styled and self._errors is None:
            _style(self)
            self._styled = True
        return super().__getitem__(name)


def editor_units(user):
    """Units the user may record requests for (the network's own, not partners)."""
    qs = ServiceUnit.objects.exclude(kind=UnitKind.PARTNER).order_by("code")
    ids = unit_ids_for(user, EDITOR_ROLES)
    return qs if ids is None else qs.filter(pk__in=ids)


def enterprise_options(user, q: str = "", selected: Enterprise | None = None):
    """A short list of enterprises for the intake form, matching name or USCC."""
    from ipps.enterprises.selectors import enterprise_list

    rows = list(enterprise_list(user=user, q=q)[:ENTERPRISE_CHOICES_LIMIT])
    if selected is not None and all(e.pk != selected.pk for e in rows):
        rows.insert(0, selected)
    return rows


class QueueFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    ip_type = forms.ChoiceField(label=_("IP type"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=ServiceUnit.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Reference, subject or enterprise")}
        )
        self.fields["status"].choices = _blank(RequestStatus.choices, _("Any status"))
        self.fields["category"].choices = _blank(Category.choices, _("Any category"))
        self.fields["ip_type"].choices = _blank(IPType.choices, _("Any IP type"))
        self.fields["channel"].choices = _blank(Channel.choices, _("Any channel"))
        ids = unit_ids_for(user)
        units = ServiceUnit.objects.exclude(kind=UnitKind.PARTNER).order_by("code")
        self.fields["unit"].queryset = units if ids is None else units.filter(pk__in=ids)
        self.fields["unit"].empty_label = _("Any unit")
        self.fields["unit"].label_from_instance = lambda u: f"{u.code} · {u.name}"

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class IntakeForm(StyledForm):
    """A request taken by staff: by phone, at the desk, on a visit, by email or WeChat."""

    enterprise_q = forms.CharField(label=_("Find the enterprise"), required=False, max_length=100)
    enterprise = forms.ModelChoiceField(
        label=_("Enterprise"),
        required=False,
        queryset=Enterprise.objects.none(),
        help_text=_("Leave empty for a member of the public and fill in the requester below."),
    )
    requester_name = forms.CharField(label=_("Requester's name"), required=False, max_length=100)
    requester_phone = forms.CharField(label=_("Requester's phone"), required=False, max_length=40)
    requester_email = forms.EmailField(label=_("Requester's email"), required=False)
    requester_organisation = forms.CharField(
        label=_("Requester's organisation"), required=False, max_length=200
    )
    unit = forms.ModelChoiceField(
        label=_("Handling unit"),
        required=False,
        queryset=ServiceUnit.objects.none(),
        help_text=_("Empty: the enterprise's workstation."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    ip_type = forms.ChoiceField(label=_("IP type"), choices=IPType.choices)
    chain_stage = forms.ChoiceField(label=_("Chain stage"), choices=ChainStage.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_("Trade-secret requests are always confidential."),
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["enterprise"]
        field.queryset = Enterprise.objects.visible_to(user).active()
        field.empty_label = _("— a member of the public —")
        selected = None
        raw = self.data.get("enterprise") if self.is_bound else None
        if raw and str(raw).isdigit():
            selected = field.queryset.filter(pk=raw).first()
        q = self.data.get("enterprise_q", "") if self.is_bound else ""
        rows = enterprise_options(user, q, selected)
        # Only a short list is rendered; validation still accepts any visible enterprise.
        field.widget.choices = [("", field.empty_label)] + [
            (str(e.pk), f"{e.name} · {e.uscc}") for e in rows
        ]
        units = self.fields["unit"]
        units.queryset = editor_units(user)
        units.empty_label = _("— the enterprise's workstation —")
        units.label_from_instance = lambda u: f"{u.code} · {u.name}"
        self.fields["enterprise_q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name or USCC"), "autocomplete": "off"}
        )

    def clean(self):
        data = super().clean()
        if not data.get("enterprise") and not (data.get("requester_name") or "").strip():
            self.add_error("requester_name", _("Give the enterprise or the requester's name."))
        if not data.get("enterprise") and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", _("Choose the unit that should answer the request."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("enterprise_q", None)
        if not data.get("received_at"):
            data.pop("received_at", None)
        return data


class PortalRequestForm(StyledForm):
    """A request an enterprise files itself; it goes to its workstation."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 6})
    )
    ip_type = forms.ChoiceField(label=_("IP type"), choices=IPType.choices)
    chain_stage = forms.ChoiceField(label=_("Chain stage"), choices=ChainStage.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)


# Actions on a request ------------------------------------------------------------------------------


class MessageForm(StyledForm):
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(StyledForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal (not shown to the enterprise)"), required=False)


class ReplyForm(StyledForm):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(StyledForm):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(u.pk): u for u in staff}
        self.fields["assignee"].choices = [("auto", _("Assign automatically"))] + [
            (str(u.pk), label) for u, label in ((u, _staff_label(u)) for u in staff)
        ]

    def assignee_user(self):
        value = self.cleaned_data["assignee"]
        return None if value == "auto" else self.staff.get(value)


def _staff_label(user) -> str:
    name = str(user)
    return name if name == user.get_username() else f"{name} ({user.get_username()})"


class EscalateForm(StyledForm):
    to_unit = forms.ModelChoiceField(label=_("Escalate to"), queryset=ServiceUnit.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_unit"]
        field.queryset = ServiceUnit.objects.filter(pk__in=[u.pk for u in targets])
        field.widget.choices = [(str(u.pk), f"{u.code} · {u.name}") for u in targets]


class ReferForm(StyledForm):
    expert = forms.ModelChoiceField(
        label=_("Expert"), required=False, queryset=Expert.objects.filter(is_active=True)
    )
    partner = forms.ModelChoiceField(
        label=_("or partner unit"),
        required=False,
        queryset=ServiceUnit.objects.filter(kind=UnitKind.PARTNER).order_by("code"),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].label_from_instance = lambda u: f"{u.code} · {u.name}"


class WaitForm(StyledForm):
    message = forms.CharField(
        label=_("What the enterprise should provide"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(StyledForm):
    answer = forms.CharField(
        label=_("Answer to the enterprise"), widget=forms.Textarea(attrs={"rows": 4})
    )
    articles = forms.ModelMultipleChoiceField(
        label=_("Answered with knowledge-base articles"),
        required=False,
        queryset=Article.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = Article.objects.visible_to(user).published()


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))
    internal = forms.BooleanField(label=_("Internal (not shown to the enterprise)"), required=False)


class PortalAttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))


class RatingForm(StyledForm):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
