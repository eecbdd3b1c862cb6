from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted")


class ReportAction(models.TextChoices):
    OPEN = "open", _("Opened")
    SUBMIT = "submit", _("Submitted")
    RETURN = "return", _("Returned")
    APPROVE = "approve", _("Approved")
    ACCEPT = "accept", _("Accepted")
    EDIT = "edit", _("Narrative edited")
    ADJUST = "adjust", _("Correction added")
    REMIND = "remind", _("Reminder sent")


# Statuses in which the unit may still edit its report.
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# Statuses that count as submitted for completeness (returned reports were submitted once,
# but a returned report is not complete until it is submitted again).
SUBMITTED_STATUSES = frozenset(
    {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}
)
# Statuses whose figures a parent's consolidated report sums.
APPROVED_STATUSES = frozenset({ReportStatus.APPROVED, ReportStatus.ACCEPTED})

# (allowed from, to) per workflow action.
TRANSITIONS = {
    ReportAction.SUBMIT: (EDITABLE, ReportStatus.SUBMITTED),
    ReportAction.RETURN: (
        frozenset({ReportStatus.SUBMITTED, ReportStatus.APPROVED}),
        ReportStatus.RETURNED,
    ),
    ReportAction.APPROVE: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.APPROVED),
    ReportAction.ACCEPT: (
        frozenset({ReportStatus.APPROVED, ReportStatus.SUBMITTED}),
        ReportStatus.ACCEPTED,
    ),
}
