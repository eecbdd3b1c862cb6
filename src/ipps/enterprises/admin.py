"""Admin for enterprises, priority listings and IP assets: changes are audited, nothing is deleted."""

from __future__ import annotations

from django.contrib import admin

from ipps.core.audit import audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.enterprises.models import Enterprise, IPAsset, PriorityListing


class AuditedAdmin(admin.ModelAdmin):
    """Business records: every admin save leaves an audit row; deletes are archival, not here."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        if not change and hasattr(obj, "created_by_id") and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        audit_record(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            actor=request.user,
            obj=obj,
            changes={**diff(before, after), "via": "admin"}
            if change
            else {"after": after, "via": "admin"},
            request=request,
        )


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = (
        "name",
        "uscc",
        "district",
        "workstation",
        "industry_section",
        "industry_division",
        "stage",
        "size",
        "archived_at",
    )
    list_filter = (
        "district",
        "industry_section",
        "stage",
        "size",
        ("archived_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "name_en", "uscc", "workstation__code")
    list_select_related = ("workstation",)
    raw_id_fields = ("workstation",)
    readonly_fields = ("created_at", "updated_at", "created_by")
    date_hierarchy = "created_at"
    list_per_page = 50


@admin.register(PriorityListing)
class PriorityListingAdmin(AuditedAdmin):
    list_display = ("enterprise", "year", "source", "reason", "created_at")
    list_filter = ("year", "source")
    search_fields = ("enterprise__name", "enterprise__uscc", "reason")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)
    readonly_fields = ("created_at", "updated_at", "created_by")


@admin.register(IPAsset)
class IPAssetAdmin(AuditedAdmin):
    list_display = (
        "number",
        "title",
        "kind",
        "enterprise",
        "filing_date",
        "grant_date",
        "legal_status",
        "archived_at",
    )
    list_filter = ("kind", "legal_status", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("number", "title", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise",)
    readonly_fields = ("created_at", "updated_at", "created_by")
    date_hierarchy = "filing_date"
    list_per_page = 50
