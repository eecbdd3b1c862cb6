"""Administration of units and roles; every save goes through the services and is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.accounts.services import membership_grant, membership_revoke
from ipps.network.forms import unit_formfield
from ipps.network.models import Membership, ServiceUnit
from ipps.network.services import (
    UNIT_CHANGEABLE_FIELDS,
    UNIT_FIELDS,
    check_no_cycle,
    check_sub_units,
    unit_create,
    unit_update,
)


def _adopt(obj, saved) -> None:
    """Let the admin continue with the row a service saved (its messages and redirects use obj.pk)."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceUnitAdminForm(forms.ModelForm):
    class Meta:
        model = ServiceUnit
        fields = list(UNIT_FIELDS)
        formfield_callback = unit_formfield

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "parent" in cleaned:
            try:
                check_no_cycle(self.instance, cleaned["parent"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def _post_clean(self):
        # The model's clean() runs here (tree rules); then the sub-units must still fit.
        super()._post_clean()
        if self.instance.pk is not None and not self.errors:
            try:
                check_sub_units(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class ChildInline(admin.TabularInline):
    model = ServiceUnit
    fk_name = "parent"
    fields = ("code", "name_zh", "kind", "district", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("sub-unit")
    verbose_name_plural = _("sub-units")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceUnit)
class ServiceUnitAdmin(admin.ModelAdmin):
    form = ServiceUnitAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("code", "name_zh", "kind", "district", "region", "status", "parent")
    list_filter = ("kind", "district", "region", "status")
    search_fields = ("code", "name_zh", "name_en", "host_park", "address")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("code",)
    inlines = [ChildInline]
    fieldsets = (
        (None, {"fields": ("kind", "code", "parent", "name_zh", "name_en", "host_park")}),
        (_("Place"), {"fields": ("district", "region", "address", "latitude", "longitude")}),
        (
            _("Service"),
            {
                "fields": (
                    "phone",
                    "email",
                    "opening_hours",
                    "offers_offline",
                    "offers_online",
                    "online_url",
                    "calendar_weekend_fallback",
                )
            },
        ),
        (_("Status"), {"fields": ("status", "opened_on", "status_changed_on", "closed_on")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The code is a stable identifier; the status dates are kept by the services.
        if obj is None:
            return ("status_changed_on", "closed_on")
        return ("code", "status_changed_on", "closed_on")

    def has_delete_permission(self, request, obj=None):
        # Units are closed (status), never deleted: reports and records refer to them.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            fields = [f for f in form.changed_data if f in UNIT_CHANGEABLE_FIELDS]
            unit = ServiceUnit.objects.get(pk=obj.pk)
            unit_update(
                unit=unit,
                changes={f: form.cleaned_data[f] for f in fields},
                acting_user=request.user,
                request=request,
            )
            obj.refresh_from_db()
        else:
            data = {f: form.cleaned_data[f] for f in UNIT_FIELDS if f in form.cleaned_data}
            _adopt(obj, unit_create(data=data, acting_user=request.user, request=request))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role", "unit__kind")
    search_fields = ("user__username", "user__full_name", "unit__code", "unit__name_zh")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user", "unit")
    fields = ("user", "unit", "role")

    def get_readonly_fields(self, request, obj=None):
        # A role is granted or revoked, never edited: revoke it and grant the new one.
        return ("user", "unit", "role") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        granted = membership_grant(
            user=obj.user, unit=obj.unit, role=obj.role, acting_user=request.user, request=request
        )
        _adopt(obj, granted)

    def delete_model(self, request, obj):
        membership_revoke(membership=obj, acting_user=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "unit"):
            membership_revoke(membership=membership, acting_user=request.user, request=request)
