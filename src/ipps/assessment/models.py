"""Annual assessment schemes, evaluations of units against them, appeals, and funding plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.assessment.choices import (
    AppealStatus,
    EvaluationStatus,
    FundingMethod,
    PlanStatus,
    SchemeStatus,
)
from ipps.core.models import ScopedQuerySet, TimeStampedModel
from ipps.network.choices import UnitKind

MONEY = {"max_digits": 16, "decimal_places": 2}
POINTS = {"max_digits": 8, "decimal_places": 2}


def _user_fk(label, related_name="+"):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class SchemeQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Published schemes are visible to all network staff; drafts to the municipal centre."""
        from ipps.network.scope import is_staff_user

        if user is None or not user.is_authenticated or getattr(user, "enterprise_id", None):
            return self.none()
        if not is_staff_user(user):
            return self.none()
        from ipps.assessment.permissions import is_city_officer

        return self if is_city_officer(user) else self.filter(status=SchemeStatus.PUBLISHED)


class Scheme(TimeStampedModel):
    """A versioned assessment scheme for one year and unit kind: a tree of areas and indicators
    with points and rules, stored as the validated definition of its YAML file."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit_kind = models.CharField(_("unit kind"), max_length=32, choices=UnitKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    definition = models.JSONField(_("definition"))
    source = models.TextField(_("YAML source"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = _user_fk(_("published by"))

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit_kind", "-version"]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit_kind", "version"],
                name="scheme_unique_version",
                violation_error_message=_("This year and unit kind already have this version."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year} v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == SchemeStatus.DRAFT

    @property
    def max_points(self):
        from decimal import Decimal

        return sum(
            (
                Decimal(str(i["points"]))
                for i in self.indicators()
                if i["rule"]["type"] != "deduction"
            ),
            Decimal(0),
        )

    def indicators(self) -> list[dict]:
        return [i for area in self.definition.get("areas", []) for i in area["indicators"]]


class EvaluationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        from ipps.network.scope import unit_ids_for

        if user is None or not user.is_authenticated or getattr(user, "enterprise_id", None):
            return self.none()
        ids = unit_ids_for(user)
        return self if ids is None else self.filter(unit_id__in=ids)


class Evaluation(TimeStampedModel):
    """One unit assessed against one scheme: computed values, self-assessment, review, result."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="evaluations"
    )
    unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.SELF_ASSESSMENT,
    )
    computed = models.JSONField(_("computed cells"), default=dict, blank=True)
    cell_points = models.JSONField(
        _("points per indicator"),
        default=dict,
        blank=True,
        help_text=_("{code: [points, maximum]}: what funding deductions read, without the cells."),
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    total = models.DecimalField(_("total"), null=True, blank=True, **POINTS)
    self_total = models.DecimalField(_("self-assessed total"), null=True, blank=True, **POINTS)
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    self_submitted_at = models.DateTimeField(
        _("self-assessment submitted at"), null=True, blank=True
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = _user_fk(_("reviewed by"))
    appeal_until = models.DateField(_("appeals until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["scheme_id", "rank", "unit__code"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit"], name="evaluation_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.scheme}"

    @property
    def is_locked(self) -> bool:
        return self.status == EvaluationStatus.PUBLISHED


class IndicatorScore(TimeStampedModel):
    """What people say about one indicator of an evaluation: the unit's self-assessment with
    evidence and the reviewer's score or judgement with a comment."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.CharField(_("indicator"), max_length=32)
    self_score = models.DecimalField(_("self-assessed score"), null=True, blank=True, **POINTS)
    self_value = models.DecimalField(
        _("self-reported value"), null=True, blank=True, max_digits=16, decimal_places=4
    )
    evidence = models.TextField(_("evidence"), blank=True)
    review_score = models.DecimalField(_("reviewer's score"), null=True, blank=True, **POINTS)
    review_value = models.DecimalField(
        _("reviewer's value"), null=True, blank=True, max_digits=16, decimal_places=4
    )
    review_judgement = models.BooleanField(_("reviewer's judgement"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_by = _user_fk(_("reviewed by"))

    class Meta:
        ordering = ["evaluation_id", "indicator"]
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="indicator_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.indicator}"


class Appeal(TimeStampedModel):
    """A unit's appeal against its reviewed score, within the scheme's appeal window."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="appeals"
    )
    indicator = models.CharField(_("indicator"), max_length=32, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_by = _user_fk(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    total_before = models.DecimalField(_("total before"), null=True, blank=True, **POINTS)
    total_after = models.DecimalField(_("total after"), null=True, blank=True, **POINTS)

    class Meta:
        ordering = ["evaluation_id", "created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_status_display()}"


class FundingPlanQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Published plans are visible to network staff; drafts to the municipal centre."""
        return _plans_for(self, user)


def _plans_for(qs, user):
    from ipps.assessment.permissions import is_city_officer
    from ipps.network.scope import is_staff_user

    if user is None or not user.is_authenticated or getattr(user, "enterprise_id", None):
        return qs.none()
    if not is_staff_user(user):
        return qs.none()
    return qs if is_city_officer(user) else qs.filter(status=PlanStatus.PUBLISHED)


class FundingPlan(TimeStampedModel):
    """A year's performance-based funding: budget, base per unit kind, a pool distributed by
    score or grade, floors and caps, and a deduction schedule. Simulated, then published."""

    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("assessment scheme"), on_delete=models.PROTECT, related_name="+"
    )
    budget = models.DecimalField(_("budget (yuan)"), **MONEY)
    base_by_kind = models.JSONField(_("base amount per unit kind"), default=dict, blank=True)
    method = models.CharField(
        _("method"),
        max_length=16,
        choices=FundingMethod.choices,
        default=FundingMethod.PROPORTIONAL,
    )
    grade_coefficients = models.JSONField(_("grade coefficients"), default=dict, blank=True)
    floor = models.DecimalField(_("floor (yuan)"), null=True, blank=True, **MONEY)
    cap = models.DecimalField(_("cap (yuan)"), null=True, blank=True, **MONEY)
    deductions = models.JSONField(_("deduction schedule"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    simulation = models.JSONField(_("last simulation"), default=dict, blank=True)
    simulated_at = models.DateTimeField(_("simulated at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = _user_fk(_("published by"))

    objects = FundingPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("funding plan")
        verbose_name_plural = _("funding plans")

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class FundingAllocation(models.Model):
    """One unit's amount in a published funding plan, with how it was reached."""

    plan = models.ForeignKey(
        FundingPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="allocations"
    )
    unit = models.ForeignKey(
        "network.ServiceUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), null=True, blank=True, **POINTS)
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    base = models.DecimalField(_("base"), **MONEY)
    performance = models.DecimalField(_("performance"), **MONEY)
    deduction = models.DecimalField(_("deduction"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    detail = models.JSONField(_("how it was reached"), default=dict)

    class Meta:
        ordering = ["plan_id", "unit__code"]
        verbose_name = _("funding allocation")
        verbose_name_plural = _("funding allocations")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="allocation_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.total}"
