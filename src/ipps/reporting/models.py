"""Monthly work reports: figures from the ledger, frozen at submission, plus people's narrative."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.core.models import AppendOnlyModel, AppendOnlyQuerySet, ScopedQuerySet, TimeStampedModel
from ipps.network.choices import UnitKind
from ipps.reporting.choices import EDITABLE, ReportAction, ReportStatus


class ReportingRule(TimeStampedModel):
    """When a unit kind's monthly report is due, when it can no longer be edited, and when to
    remind. Kinds without a rule use the defaults of the fields."""

    unit_kind = models.CharField(
        _("unit kind"), max_length=32, choices=UnitKind.choices, unique=True
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month after the period by which the report is due."),
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("expiry (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("The report can no longer be edited this many days after the period ends."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder (days before due)"),
        default=3,
        validators=[MaxValueValidator(28)],
    )

    class Meta:
        ordering = ["unit_kind"]
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")

    def __str__(self) -> str:
        return str(self.get_unit_kind_display())


class MonthlyReportQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        from ipps.network.scope import unit_ids_for

        if user is None or not user.is_authenticated or getattr(user, "enterprise_id", None):
            return self.none()
        ids = unit_ids_for(user)
        return self if ids is None else self.filter(unit_id__in=ids)

    def restrict(self, user, action: str = "view"):
        if action == "view":
            return self.visible_to(user)
        from ipps.network.choices import EDITOR_ROLES
        from ipps.network.scope import unit_ids_for

        ids = unit_ids_for(user, EDITOR_ROLES)
        return self.visible_to(user) if ids is None else self.filter(unit_id__in=ids)

    def for_month(self, month):
        return self.filter(month=month)

    def editable(self):
        return self.filter(status__in=EDITABLE)


class MonthlyReport(TimeStampedModel):
    """One unit's report for one month.

    While the report is editable its figures are read live from the ledger selectors; submission
    freezes them into `figures` (and, for a unit with children, `consolidated`). Corrections
    never overwrite a figure: they are `ReportAdjustment` rows shown beside it.
    """

    unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="monthly_reports",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    due_on = models.DateField(_("due on"))
    expires_on = models.DateField(_("editable until"))
    figures = models.JSONField(_("frozen figures"), default=dict, blank=True)
    consolidated = models.JSONField(_("frozen consolidated figures"), default=dict, blank=True)
    frozen_at = models.DateTimeField(_("figures frozen at"), null=True, blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    notable_cases = models.TextField(_("notable cases"), blank=True)
    problems = models.TextField(_("problems met"), blank=True)
    next_plan = models.TextField(_("next month's plan"), blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "unit__code"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                name="report_one_per_unit_month",
                violation_error_message=_("This unit already has a report for this month."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="report_month_is_first_day"
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="report_month_status_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class ReportAdjustment(AppendOnlyModel):
    """A correction of one reported figure, with its reason; shown beside the ledger figure."""

    report = models.ForeignKey(
        MonthlyReport,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    figure = models.CharField(_("figure"), max_length=32)
    amount = models.IntegerField(
        _("amount"), help_text=_("Added to the ledger figure; negative to reduce it.")
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    append_only_message = "Corrections are kept; add another one to undo one"
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "id"]
        verbose_name = _("report correction")
        verbose_name_plural = _("report corrections")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="adjustment_amount_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.amount:+d}"

    @property
    def figure_label(self) -> str:
        from ipps.reporting.selectors import FIGURE_LABELS

        return str(FIGURE_LABELS.get(self.figure, self.figure))


class ReportEvent(AppendOnlyModel):
    """The report's timeline: opening, edits, submissions, returns (with the comment), approvals."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=ReportAction.choices)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    append_only_message = "The report's timeline is append-only"
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "at", "id"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
