from django.contrib import admin

from ipps.core.models import AuditEvent


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
