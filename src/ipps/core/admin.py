from django.contrib import admin

from ipps.core.models import AuditEvent, CalendarDay, CalendarYear


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: no one adds, changes or deletes rows, not even superusers."""

    list_display = (
        "id",
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip_address",
    )
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id", "hash")
    date_hierarchy = "at"
    ordering = ("-id",)
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Working calendar -----------------------------------------------------------------------------------


def _calendar_changed(request, obj, action: str, changes: dict) -> None:
    """Every change of the calendar is audited and moves open requests' due times."""
    from django.db import transaction

    from ipps.core.audit import audit_record
    from ipps.core.calendar_services import _recompute_after_commit

    with transaction.atomic():
        audit_record(action=action, actor=request.user, obj=obj, changes=changes, request=request)
        _recompute_after_commit()


class _CalendarAdmin(admin.ModelAdmin):
    readonly_fields = ("created_at", "updated_at", "created_by")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        from ipps.core.audit import snapshot
        from ipps.core.choices import AuditAction

        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if f in {f.name for f in obj._meta.fields}]
        _calendar_changed(
            request,
            obj,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            {"after": snapshot(obj, fields or None)},
        )

    def delete_model(self, request, obj):
        from ipps.core.audit import snapshot
        from ipps.core.choices import AuditAction

        before = snapshot(obj)
        _calendar_changed(request, obj, AuditAction.DELETE, {"before": before})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarDay)
class CalendarDayAdmin(_CalendarAdmin):
    """Override days: a day off or a (make-up) working day, whatever the statutory calendar says."""

    list_display = ("date", "is_working", "reason", "updated_at")
    list_filter = ("is_working",)
    search_fields = ("reason",)
    date_hierarchy = "date"
    ordering = ("-date",)


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    """Years whose days were entered by hand (those after the chinesecalendar package's data)."""

    list_display = ("year", "note", "created_at", "created_by")
    ordering = ("-year",)
