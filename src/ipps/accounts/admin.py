from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ipps.accounts.models import ApiToken, User
from ipps.accounts.services import (
    account_unlock,
    membership_grant,
    membership_revoke,
    token_revoke,
)
from ipps.core.audit import audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.network.models import Membership

LOCKOUT_FIELDS = (
    "failed_logins",
    "locked_until",
    "password_changed_at",
    "last_login",
    "date_joined",
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("unit", "role")
    extra = 0
    verbose_name = _("role on a unit")
    verbose_name_plural = _("roles on units")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts; role changes go through the audited services, lockout fields are read-only."""

    inlines = [MembershipInline]
    list_display = (
        "username",
        "full_name",
        "email",
        "enterprise",
        "is_active",
        "is_superuser",
        "locked_until",
    )
    list_filter = ("is_active", "is_superuser", "memberships__role")
    search_fields = ("username", "full_name", "email", "phone")
    readonly_fields = LOCKOUT_FIELDS
    raw_id_fields = ("enterprise",)
    actions = ["unlock_accounts"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone", "enterprise")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Security"), {"fields": LOCKOUT_FIELDS}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "email", "password1", "password2"),
            },
        ),
    )

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock_accounts(self, request, queryset):
        count = 0
        for user in queryset:
            if user.locked_until is not None or user.failed_logins:
                account_unlock(user=user, acting_user=request.user, request=request)
                count += 1
        self.message_user(
            request,
            ngettext("%(n)d account unlocked.", "%(n)d accounts unlocked.", count) % {"n": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        before = snapshot(User.objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        changes = diff(before, after) if change else {"after": after}
        audit_record(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            actor=request.user,
            obj=obj,
            changes=changes,
            request=request,
        )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password_changed_at"])
            audit_record(
                action=AuditAction.PASSWORD_CHANGED,
                actor=request.user,
                obj=user,
                changes={"reason": "set_by_administrator"},
                request=request,
            )
        return response

    def delete_model(self, request, obj):
        audit_record(
            action=AuditAction.DELETE,
            actor=request.user,
            obj=obj,
            changes={"before": snapshot(obj)},
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Roles are granted and revoked through the services so that each change is audited.
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_revoke(membership=membership, acting_user=request.user, request=request)
        for membership in instances:
            if membership.pk is not None:
                original = Membership.objects.get(pk=membership.pk)
                membership_revoke(membership=original, acting_user=request.user, request=request)
            membership_grant(
                user=form.instance,
                unit=membership.unit,
                role=membership.role,
                acting_user=request.user,
                request=request,
            )
        formset.save_m2m()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens, read-only; the only change allowed is revoking."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_tokens"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, acting_user=request.user, request=request)
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
