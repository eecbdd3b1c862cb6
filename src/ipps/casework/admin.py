from django.contrib import admin
from django.db import transaction

from ipps.casework.models import Article, Expert, ServiceRequest, SlaPolicy
from ipps.core.audit import audit_record, diff, snapshot
from ipps.core.choices import AuditAction
from ipps.core.search import token_text


def _recompute_on_commit() -> None:
    """Due times depend on the policies: recompute open requests once the change is committed."""

    def run():
        from ipps.casework.tasks import sla_recompute_task

        sla_recompute_task()

    transaction.on_commit(run)


class _AuditedAdmin(admin.ModelAdmin):
    """Changes made in the administration are audited like those made through the services."""

    readonly_fields = ("created_at", "updated_at", "created_by")

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        if not change and hasattr(obj, "created_by_id"):
            obj.created_by = request.user
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                actor=request.user,
                obj=obj,
                changes=diff(before, snapshot(obj)) if change else {"after": snapshot(obj)},
                request=request,
            )
            self.after_change(obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                action=AuditAction.DELETE,
                actor=request.user,
                obj=obj,
                changes={"before": snapshot(obj)},
                request=request,
            )
            super().delete_model(request, obj)
            self.after_change(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def after_change(self, obj) -> None:
        pass


@admin.register(SlaPolicy)
class SlaPolicyAdmin(_AuditedAdmin):
    """Service-level policies; saving or deleting one recomputes open requests' due times."""

    list_display = (
        "name",
        "unit_kind",
        "priority",
        "category",
        "first_response_hours",
        "resolution_days",
        "warn_before_hours",
        "is_active",
    )
    list_filter = ("is_active", "unit_kind", "priority", "category")
    search_fields = ("name",)

    def after_change(self, obj) -> None:
        _recompute_on_commit()


@admin.register(Expert)
class ExpertAdmin(_AuditedAdmin):
    list_display = ("name", "organisation", "email", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "organisation", "email")
    raw_id_fields = ("user",)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Requests, read-only: they change only through their actions (request page or API)."""

    list_display = (
        "reference",
        "subject",
        "enterprise",
        "handling_unit",
        "status",
        "category",
        "ip_type",
        "received_at",
        "breached_resolution",
    )
    list_filter = ("status", "category", "ip_type", "channel", "priority", "breached_resolution")
    search_fields = ("reference", "subject", "enterprise__name", "requester_name")
    date_hierarchy = "received_at"
    list_select_related = ("enterprise", "handling_unit")
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["experts", "answered_with"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(_AuditedAdmin):
    list_display = ("title_zh", "title_en", "status", "audience", "ip_type", "published_at")
    list_filter = ("status", "audience", "ip_type", "chain_stage")
    search_fields = ("title_zh", "title_en")
    readonly_fields = ("created_at", "updated_at", "created_by", "archived_at")

    def save_model(self, request, obj, form, change):
        # The search index reads these tokens; they are derived, never typed.
        obj.search_tokens = token_text(obj.title_zh, obj.title_en, obj.body_zh, obj.body_en)
        super().save_model(request, obj, form, change)
