from django.db import models
from django.utils.translation import gettext_lazy as _


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EvaluationStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    UNDER_REVIEW = "under_review", _("Under review")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class FundingMethod(models.TextChoices):
    PROPORTIONAL = "proportional", _("Proportional to the score")
    GRADE = "grade", _("By grade coefficients")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ValueSource(models.TextChoices):
    LEDGER = "ledger", _("Service ledger")
    FIGURE = "figure", _("Service figures")
    SHARE = "share", _("Service-level share")
    REPORTS = "reports", _("Monthly reports")
    FORMULA = "formula", _("Formula")
    MANUAL = "manual", _("Entered with evidence")
