from django.contrib import admin

from ipps.reporting.models import ReportingRule


@admin.register(ReportingRule)
class ReportingRuleAdmin(admin.ModelAdmin):
    list_display = ["unit_kind", "due_day", "expiry_days", "reminder_days"]
