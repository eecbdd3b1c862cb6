"""Enterprises served by the network, their priority listing and their IP assets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.core import ids
from ipps.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel
from ipps.enterprises import industry
from ipps.enterprises.choices import (
    PATENT_KINDS,
    PATENT_TYPE_DIGITS,
    Designation,
    IPKind,
    LegalStatus,
    PrioritySource,
    Size,
    Stage,
)
from ipps.network.choices import District


class EnterpriseQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        """Staff reach the enterprises of the units in their subtree; a portal user only their own."""
        from ipps.network.scope import unit_ids_for

        if user is None or not user.is_authenticated:
            return self.none()
        return self.in_scope(
            ids=unit_ids_for(user), enterprise_id=getattr(user, "enterprise_id", None)
        )

    def in_scope(self, *, ids, enterprise_id):
        """`visible_to` by its inputs (units reached, None for all; the user's own enterprise), so
        that a prepared query can take them as parameters."""
        if ids is None:
            return self
        query = models.Q(workstation_id__in=ids)
        if enterprise_id:
            query |= models.Q(pk=enterprise_id)
        return self.filter(query)

    def restrict(self, user, action: str = "view"):
        if action == "view":
            return self.visible_to(user)
        from ipps.network.choices import EDITOR_ROLES
        from ipps.network.scope import unit_ids_for

        ids = unit_ids_for(user, EDITOR_ROLES)
        if ids is None:
            return self
        return self.filter(workstation_id__in=ids)


class Enterprise(ArchivableModel):
    """A company the network serves, identified by its Unified Social Credit Code."""

    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    district = models.CharField(_("district"), max_length=8, choices=District.choices)
    park = models.CharField(_("park"), max_length=200, blank=True)
    workstation = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_(
            "The workstation (or district centre) responsible for serving this enterprise."
        ),
    )
    industry_section = models.CharField(_("industry section"), max_length=1, blank=True)
    industry_division = models.CharField(_("industry division"), max_length=2, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=Size.choices, blank=True)
    designations = models.JSONField(_("designations"), default=list, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["workstation", "name"], name="ent_unit_name_idx"),
            models.Index(fields=["district"], name="ent_district_idx"),
            models.Index(fields=["industry_section", "industry_division"], name="ent_industry_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def industry_label(self) -> str:
        if self.industry_division:
            return industry.division_label(self.industry_division)
        return industry.section_label(self.industry_section) if self.industry_section else ""

    def designation_labels(self) -> list[str]:
        labels = dict(Designation.choices)
        return [str(labels.get(d, d)) for d in self.designations or []]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        try:
            self.uscc = ids.normalize_uscc(self.uscc)
        except ValueError as exc:
            errors["uscc"] = str(exc)
        if self.industry_section and self.industry_section not in industry.SECTIONS:
            errors["industry_section"] = _("Unknown GB/T 4754-2017 section: %(v)s") % {
                "v": self.industry_section
            }
        if self.industry_division:
            division = industry.DIVISIONS.get(self.industry_division)
            if division is None:
                errors["industry_division"] = _("Unknown GB/T 4754-2017 division: %(v)s") % {
                    "v": self.industry_division
                }
            elif self.industry_section and division[0] != self.industry_section:
                errors["industry_division"] = _(
                    "Division %(d)s belongs to section %(s)s, not %(given)s."
                ) % {"d": self.industry_division, "s": division[0], "given": self.industry_section}
            else:
                self.industry_section = division[0]
        valid = set(Designation.values)
        unknown = [d for d in self.designations or [] if d not in valid]
        if unknown:
            errors["designations"] = _("Unknown designation: %(v)s") % {"v": ", ".join(unknown)}
        if self.workstation_id:
            from ipps.network.choices import UnitKind

            unit = self.workstation
            if unit.kind not in (UnitKind.WORKSTATION, UnitKind.DISTRICT_CENTRE):
                errors["workstation"] = _(
                    "An enterprise is served by a workstation or a district centre, not a %(kind)s."
                ) % {"kind": unit.get_kind_display()}
        if errors:
            raise ValidationError(errors)


class PriorityListingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(enterprise__in=Enterprise.objects.visible_to(user))


class PriorityListing(TimeStampedModel):
    """An enterprise on the priority service list of a year."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="priority_listings",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=PrioritySource.choices, default=PrioritySource.MUNICIPAL
    )

    objects = PriorityListingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "enterprise__name"]
        verbose_name = _("priority listing")
        verbose_name_plural = _("priority listings")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                name="priority_unique_year",
                violation_error_message=_(
                    "This enterprise is already on that year's priority list."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100),
                name="priority_year_range",
                violation_error_message=_("The year must lie between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year}"


class IPAssetQuerySet(ArchivableQuerySet):
    def visible_to(self, user):
        return self.filter(enterprise__in=Enterprise.objects.visible_to(user))


class IPAsset(ArchivableModel):
    """A patent, trademark, copyright, GI, trade secret, layout design or plant variety of an enterprise."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ip_assets"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=IPKind.choices)
    number = models.CharField(_("number"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=300)
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    grant_date = models.DateField(_("grant or registration date"), null=True, blank=True)
    legal_status = models.CharField(
        _("legal status"), max_length=16, choices=LegalStatus.choices, default=LegalStatus.PENDING
    )

    objects = IPAssetQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "number", "id"]
        verbose_name = _("IP asset")
        verbose_name_plural = _("IP assets")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=~models.Q(number=""),
                name="ipasset_unique_number",
                violation_error_message=_(
                    "An IP asset of this kind with this number exists already."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.get_kind_display()} {self.title}".strip()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.number:
            try:
                self.number = normalize_asset_number(self.kind, self.number)
            except ValueError as exc:
                errors["number"] = str(exc)
        elif self.kind in PATENT_KINDS:
            errors["number"] = _("A patent needs its application number.")
        if self.filing_date and self.grant_date and self.grant_date < self.filing_date:
            errors["grant_date"] = _("The grant date cannot be before the filing date.")
        if errors:
            raise ValidationError(errors)


def normalize_asset_number(kind: str, number: str) -> str:
    """Validate and normalise a number for its kind; raises ValueError with the user's message."""
    if kind in PATENT_KINDS:
        value = ids.normalize_patent_number(number)
        digit = value[6]
        if digit not in PATENT_TYPE_DIGITS[IPKind(kind)]:
            raise ValueError(
                _("Application number %(n)s is of another patent type than %(kind)s.")
                % {"n": value, "kind": IPKind(kind).label}
            )
        return value
    if kind == IPKind.SOFTWARE_COPYRIGHT:
        return ids.normalize_software_copyright(number)
    import unicodedata

    return unicodedata.normalize("NFKC", number).strip().upper()


# --- import jobs (owned by the import slice) ---


def import_upload_to(instance, filename: str) -> str:
    """Uploaded files are kept under MEDIA_ROOT/imports/ with a random name; the original is in file_name."""
    import os
    import uuid

    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"imports/{uuid.uuid4().hex}{ext}"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An import job is seen by the person who started it, and by superusers."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(created_by=user)


class ImportJob(TimeStampedModel):
    """One uploaded file of enterprises being imported in the background, with its progress and report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking rows")
        WRITING = "writing", _("Writing")
        IMPORTED = "imported", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    FINISHED = (Status.IMPORTED, Status.REFUSED, Status.FAILED)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    file = models.FileField(_("uploaded file"), upload_to=import_upload_to, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    partial = models.BooleanField(
        _("import the good rows only"),
        default=False,
        help_text=_("Without it, one bad row refuses the whole file."),
    )
    language = models.CharField(_("language of the report"), max_length=16, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file (about)"), null=True, blank=True)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.file_name} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.rows_total:
            return 0
        return max(0, min(99, round(100 * self.rows_processed / self.rows_total)))


# --- end import slice ---
