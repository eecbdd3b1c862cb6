from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_ENTERPRISE = "waiting_on_enterprise", _("Waiting on the enterprise")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = frozenset(
    {
        RequestStatus.NEW,
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.WAITING_ON_ENTERPRISE,
        RequestStatus.ESCALATED,
        RequestStatus.REOPENED,
    }
)


class Category(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    SEARCH = "search", _("Search and analysis")
    FILING_GUIDANCE = "filing_guidance", _("Filing guidance")
    INFRINGEMENT = "infringement", _("Infringement")
    FINANCING = "financing", _("Financing and pledge")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    COMMENT = "comment", _("Comment")
    STATUS = "status", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    ESCALATION = "escalation", _("Escalation")
    REFERRAL = "referral", _("Referral")
    ATTACHMENT = "attachment", _("Attachment")
    RATING = "rating", _("Rating")
    SLA = "sla", _("Service level")
    CASE = "case", _("Case file")
    ANSWER = "answer", _("Answered with an article")


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    ENTERPRISE = "enterprise", _("Visible to the enterprise")


class Stability(models.TextChoices):
    STABLE = "stable", _("Stable")
    DOUBTFUL = "doubtful", _("Doubtful")
    UNSTABLE = "unstable", _("Unstable")


class CaseRoute(models.TextChoices):
    NEGOTIATION = "negotiation", _("Negotiation")
    MEDIATION = "mediation", _("Mediation")
    ADMINISTRATIVE = "administrative_complaint", _("Administrative complaint")
    LITIGATION = "litigation", _("Litigation")
    OVERSEAS = "overseas_action", _("Overseas action")


class CaseOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    SETTLED = "settled", _("Settled")
    INFRINGEMENT_STOPPED = "infringement_stopped", _("Infringement stopped")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")
