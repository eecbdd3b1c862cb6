"""Service requests from enterprises, their timeline and service levels, case files, experts and the
knowledge base."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.casework.choices import (
    OPEN_STATUSES,
    ArticleStatus,
    Audience,
    CaseOutcome,
    CaseRoute,
    Category,
    EventKind,
    Priority,
    RequestStatus,
    Stability,
    Visibility,
)
from ipps.core.choices import ChainStage, Channel, IPType
from ipps.core.i18n import in_active_language, say_stored
from ipps.core.models import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    ArchivableModel,
    ArchivableQuerySet,
    TimeStampedModel,
)
from ipps.network.choices import UnitKind


class Expert(TimeStampedModel):
    """An expert the network refers questions to."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


class SlaPolicy(TimeStampedModel):
    """Service-level targets; the most specific active policy matching a request applies."""

    name = models.CharField(_("name"), max_length=100)
    unit_kind = models.CharField(
        _("unit kind"), max_length=32, choices=UnitKind.choices, blank=True
    )
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, blank=True)
    first_response_hours = models.DecimalField(
        _("first response within (working hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    resolution_days = models.PositiveSmallIntegerField(_("resolution within (working days)"))
    warn_before_hours = models.DecimalField(
        _("warn before due (working hours)"), max_digits=6, decimal_places=2, default=2
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit_kind", "priority", "category", "name"]
        verbose_name = _("service-level policy")
        verbose_name_plural = _("service-level policies")

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return sum(1 for v in (self.unit_kind, self.priority, self.category) if v)


class ServiceRequestQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        """Staff: requests handled or originated in their subtree, and those referred to them as
        experts; portal users: their enterprise's requests."""
        from ipps.network.scope import unit_ids_for

        if user is None or not user.is_authenticated:
            return self.none()
        return self.in_scope(
            ids=unit_ids_for(user),
            user_id=user.pk,
            enterprise_id=getattr(user, "enterprise_id", None),
        )

    def in_scope(self, *, ids, user_id, enterprise_id):
        """`visible_to` by its inputs (units reached, None for all; the user; their enterprise),
        so that a prepared query can take them as parameters."""
        if ids is None:
            return self
        query = models.Q(handling_unit_id__in=ids) | models.Q(originating_unit_id__in=ids)
        referred = self.model.experts.through.objects.filter(
            servicerequest_id=models.OuterRef("pk"), expert__user_id=user_id
        )
        query |= models.Q(models.Exists(referred))
        if enterprise_id:
            query |= models.Q(enterprise_id=enterprise_id)
        return self.filter(query)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        from django.utils import timezone

        now = now or timezone.now()
        return self.open().filter(
            models.Q(resolution_due__lt=now, paused_at__isnull=True)
            | models.Q(breached_resolution=True)
        )


class ServiceRequest(ArchivableModel):
    """An enterprise's (or a member of the public's) IP question or problem."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        db_index=False,  # the first column of an index in Meta.indexes
    )
    requester_name = models.CharField(_("requester name"), max_length=100, blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=40, blank=True)
    requester_email = models.EmailField(_("requester email"), blank=True)
    requester_organisation = models.CharField(
        _("requester organisation"), max_length=200, blank=True
    )
    handling_unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="handled_requests",
        db_index=False,  # the first column of an index in Meta.indexes
    )
    originating_unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("originating unit"),
        on_delete=models.PROTECT,
        related_name="originated_requests",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IPType.choices)
    chain_stage = models.CharField(_("chain stage"), max_length=16, choices=ChainStage.choices)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=32, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Content visible only to the handling unit's staff and assigned experts."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        db_index=False,  # the first column of an index in Meta.indexes
    )
    experts = models.ManyToManyField(
        Expert, verbose_name=_("experts"), blank=True, related_name="requests"
    )
    answered_with = models.ManyToManyField(
        "casework.Article", verbose_name=_("answered with"), blank=True, related_name="requests"
    )
    # Service level: one continuous clock from intake, paused while waiting on the enterprise.
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("service-level policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused working seconds"), default=0)
    breached_response = models.BooleanField(_("first response breached"), default=False)
    breached_resolution = models.BooleanField(_("resolution breached"), default=False)
    warned_at = models.DateTimeField(_("due warning sent at"), null=True, blank=True)
    calendar_fallback = models.BooleanField(
        _("weekends-only calendar used"),
        default=False,
        help_text=_("The working calendar had no data for a year and counted weekends only."),
    )
    calendar_missing_year = models.PositiveSmallIntegerField(
        _("year without calendar data"),
        null=True,
        blank=True,
        help_text=_(
            "Set while the due times cannot be computed: the working calendar has no data for "
            "this year and the handling unit does not allow the weekends-only calendar."
        ),
    )
    uncounted_pauses = models.JSONField(
        _("pauses not yet counted"),
        default=list,
        blank=True,
        help_text=_(
            "Pauses (start, end) in a year without calendar data; their working time is added "
            "once the calendar knows that year."
        ),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    search_tokens = models.TextField(_("search tokens"), blank=True, editable=False)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["handling_unit", "status"], name="req_unit_status_idx"),
            models.Index(fields=["assignee", "status"], name="req_assignee_status_idx"),
            models.Index(fields=["enterprise", "received_at"], name="req_enterprise_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(enterprise__isnull=True, requester_name=""),
                name="request_has_a_requester",
                violation_error_message=_("A request needs an enterprise or the requester's name."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="request_rating_1_to_5",
                violation_error_message=_("A rating is a whole number from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def calendar_missing(self) -> bool:
        """No due time: the calendar lacks a year and the handling unit refuses to guess."""
        return self.calendar_missing_year is not None

    @property
    def breached(self) -> bool:
        return self.breached_response or self.breached_resolution

    @property
    def requester(self) -> str:
        return str(self.enterprise) if self.enterprise_id else self.requester_name


class RequestEventQuerySet(AppendOnlyQuerySet):
    def for_enterprise(self):
        return self.filter(visibility=Visibility.ENTERPRISE)


class RequestEvent(AppendOnlyModel):
    """One entry of a request's timeline; never changed."""

    # One index, (request, at): the timeline is the only way events are read. Every request's
    # intake and each action write events, and each index is one more page written a row; the
    # foreign keys to users and units are checked by a scan on the rare delete of a user or unit.
    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, blank=True)
    from_unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("from unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    to_unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("to unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    append_only_message = "The request timeline is append-only"
    objects = RequestEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="reqevent_request_at_idx")]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request.reference} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def shown_body(self) -> str:
        """The text in the reader's language where the system wrote it as a sentence (case file
        entries) or kept it in each language (the title of the article a request was answered
        with); people's own words, and entries written before, as written."""
        data = self.data if isinstance(self.data, dict) else {}
        if isinstance(data.get("title"), dict):
            return in_active_language(data["title"]) or self.body
        return say_stored(data.get("sentence"), self.body)


class Attachment(models.Model):
    """A file attached to a request (or to a case file's evidence register), with its SHA-256."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.ENTERPRISE
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class InfringementCase(TimeStampedModel):
    """The case file of an infringement request."""

    request = models.OneToOneField(
        ServiceRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="case"
    )
    rights = models.ManyToManyField(
        "enterprises.IPAsset", verbose_name=_("rights involved"), blank=True, related_name="cases"
    )
    counterpart_name = models.CharField(_("counterpart"), max_length=200, blank=True)
    counterpart_details = models.TextField(_("counterpart details"), blank=True)
    stability = models.CharField(
        _("stability"), max_length=16, choices=Stability.choices, blank=True
    )
    stability_basis = models.TextField(_("basis of the stability assessment"), blank=True)
    stability_assessor = models.CharField(_("assessed by"), max_length=100, blank=True)
    stability_assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    route = models.CharField(
        _("recommended route"), max_length=32, choices=CaseRoute.choices, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=32, choices=CaseOutcome.choices, default=CaseOutcome.PENDING
    )
    outcome_notes = models.TextField(_("outcome notes"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("infringement case")
        verbose_name_plural = _("infringement cases")

    def __str__(self) -> str:
        return f"{self.request.reference} {self.counterpart_name}".strip()


class CaseFact(TimeStampedModel):
    """One fact in an infringement case's timeline."""

    case = models.ForeignKey(
        InfringementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="facts"
    )
    date = models.DateField(_("date"))
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")

    def __str__(self) -> str:
        return f"{self.date} {self.description[:40]}"


class Evidence(models.Model):
    """An item in a case's evidence register: a file with its hash, who added it and when."""

    case = models.ForeignKey(
        InfringementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence"
    )
    attachment = models.OneToOneField(
        Attachment, verbose_name=_("file"), on_delete=models.PROTECT, related_name="evidence"
    )
    description = models.CharField(_("description"), max_length=300)
    obtained_on = models.DateField(_("obtained on"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.description


class ArticleQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        """Staff see every article; everyone else published public ones."""
        from ipps.network.scope import is_staff_user

        if user is not None and user.is_authenticated and is_staff_user(user):
            return self
        return self.published().filter(audience=Audience.PUBLIC)

    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED, archived_at__isnull=True)


class Article(ArchivableModel):
    """A knowledge-base article answering a common question, in Chinese and English."""

    title_zh = models.CharField(_("Chinese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body_zh = models.TextField(_("Chinese text"))
    body_en = models.TextField(_("English text"), blank=True)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IPType.choices, blank=True)
    chain_stage = models.CharField(
        _("chain stage"), max_length=16, choices=ChainStage.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.INTERNAL
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    search_tokens = models.TextField(_("search tokens"), blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")

    def __str__(self) -> str:
        return self.title_zh


class ReferenceCounter(models.Model):
    """The last reference number handed out per year (SR-2026-000123)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        ordering = ["year"]
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
