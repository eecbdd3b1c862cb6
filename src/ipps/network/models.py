"""The service network: a tree of units (municipal → district → workstation; partners) and roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from ipps.core.models import TimeStampedModel
from ipps.network.choices import District, PartnerRegion, Role, UnitKind, UnitStatus

# Which kind of unit may sit under which: the shape of the 1 + 17 + N network.
ALLOWED_PARENT_KIND = {
    UnitKind.MUNICIPAL_CENTRE: None,
    UnitKind.DISTRICT_CENTRE: UnitKind.MUNICIPAL_CENTRE,
    UnitKind.WORKSTATION: UnitKind.DISTRICT_CENTRE,
    UnitKind.PARTNER: UnitKind.MUNICIPAL_CENTRE,
}


class ServiceUnitQuerySet(TreeQuerySet):
    def visible_to(self, user):
        """The directory of units is public information: anyone may list it."""
        return self

    def restrict(self, user, action: str = "view"):
        if action == "view":
            return self.visible_to(user)
        from ipps.network.scope import unit_ids_for

        ids = unit_ids_for(user, roles={Role.ADMIN})
        return self if ids is None else self.filter(pk__in=ids)

    def active(self):
        return self.filter(status=UnitStatus.ACTIVE)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)


class ServiceUnit(TreeNode, TimeStampedModel):
    """A municipal centre, district centre, workstation or partner of the network."""

    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Stable identifier, e.g. WS-110108-001; never reused."),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    host_park = models.CharField(
        _("host park or incubator"),
        max_length=200,
        blank=True,
        help_text=_("For workstations: the park, incubator or co-working space that hosts it."),
    )
    district = models.CharField(_("district"), max_length=8, choices=District.choices, blank=True)
    region = models.CharField(_("region"), max_length=16, choices=PartnerRegion.choices, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    offers_offline = models.BooleanField(_("offline service (walk-in)"), default=True)
    offers_online = models.BooleanField(_("online service"), default=True)
    online_url = models.URLField(_("online service address"), blank=True)
    calendar_weekend_fallback = models.BooleanField(
        _("allow the weekends-only calendar"),
        default=False,
        help_text=_(
            "When the working calendar has no holiday data for a year, count only weekends as "
            "days off for this unit's due times, rather than leaving them empty until an "
            "administrator imports the year."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = ServiceUnitQuerySet.as_manager(with_tree_fields=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="partner") | ~models.Q(region=""),
                name="unit_partner_has_region",
                violation_error_message=_("A partner unit needs a region."),
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(status="closed"),
                name="unit_closed_date_only_when_closed",
                violation_error_message=_("Only a closed unit has a closing date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def clean(self) -> None:
        # Our checks first, so that a cycle gets our message on `parent`, not tree-queries' own.
        self._check_tree_shape()
        super().clean()

    def _check_tree_shape(self) -> None:
        errors: dict[str, list[str]] = {}
        expected = ALLOWED_PARENT_KIND.get(self.kind)
        parent = self.parent
        if self.kind and expected is None and parent is not None:
            errors.setdefault("parent", []).append(
                _("A %(kind)s is the root of the network and has no parent unit.")
                % {"kind": self.get_kind_display()}
            )
        elif expected is not None:
            if parent is None:
                errors.setdefault("parent", []).append(
                    _("A %(kind)s must sit under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": UnitKind(expected).label}
                )
            elif parent.kind != expected:
                errors.setdefault("parent", []).append(
                    _(
                        "A %(kind)s cannot sit under a %(parent_kind)s (%(parent)s); it must sit under a %(expected)s."
                    )
                    % {
                        "kind": self.get_kind_display(),
                        "parent_kind": parent.get_kind_display(),
                        "parent": parent.code,
                        "expected": UnitKind(expected).label,
                    }
                )
        if parent is not None and self.pk is not None:
            seen = set()
            node = parent
            while node is not None:
                if node.pk == self.pk or node.pk in seen:
                    errors.setdefault("parent", []).append(
                        _("A unit cannot sit under itself or one of its own sub-units.")
                    )
                    break
                seen.add(node.pk)
                node = node.parent
        if self.kind in (UnitKind.DISTRICT_CENTRE, UnitKind.WORKSTATION) and not self.district:
            errors.setdefault("district", []).append(
                _("District centres and workstations belong to a district.")
            )
        if (
            self.kind == UnitKind.WORKSTATION
            and parent is not None
            and parent.kind == UnitKind.DISTRICT_CENTRE
            and self.district
            and parent.district
            and self.district != parent.district
        ):
            errors.setdefault("district", []).append(
                _("A workstation lies in the district of its district centre (%(district)s).")
                % {"district": parent.get_district_display()}
            )
        if self.kind == UnitKind.PARTNER and not self.region:
            errors.setdefault("region", []).append(_("A partner unit needs a region."))
        if self.kind != UnitKind.PARTNER and self.region:
            errors.setdefault("region", []).append(_("Only partner units have a region."))
        if self.closed_on and self.status != UnitStatus.CLOSED:
            errors.setdefault("closed_on", []).append(_("Only a closed unit has a closing date."))
        if errors:
            raise ValidationError(errors)


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ipps.network.scope import unit_ids_for

        ids = unit_ids_for(user)
        qs = self.select_related("user", "unit")
        if ids is None:
            return qs
        return qs.filter(models.Q(unit_id__in=ids) | models.Q(user_id=user.pk))


class Membership(TimeStampedModel):
    """A user's role on a unit; it reaches the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        ServiceUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="membership_unique_role",
                violation_error_message=_("This user already has this role on this unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit.code}"
