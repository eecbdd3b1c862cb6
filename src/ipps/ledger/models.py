"""The ledger: one immutable row per act of service; every statistic reads it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipps.core.choices import ChainStage, Channel, IPType
from ipps.core.models import AppendOnlyModel, AppendOnlyQuerySet
from ipps.ledger.choices import RecordKind


class ServiceRecordQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user):
        from ipps.network.scope import unit_ids_for

        if user is None or not user.is_authenticated or getattr(user, "enterprise_id", None):
            return self.none()
        ids = unit_ids_for(user)
        return self if ids is None else self.filter(unit_id__in=ids)


class ServiceRecord(AppendOnlyModel):
    """One act of service by a unit, written once by the service that did it; never changed."""

    unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the first column of ledger_unit_date_idx
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IPType.choices, blank=True)
    chain_stage = models.CharField(
        _("chain stage"), max_length=16, choices=ChainStage.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    quantity = models.IntegerField(_("quantity"), default=1)
    source_type = models.CharField(_("source type"), max_length=64)
    source_id = models.CharField(_("source id"), max_length=64)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    append_only_message = "Ledger rows are immutable; write a reversing row instead"
    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        indexes = [
            models.Index(fields=["unit", "date"], name="ledger_unit_date_idx"),
            models.Index(fields=["source_type", "source_id"], name="ledger_source_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "kind"],
                condition=models.Q(reverses__isnull=True),
                name="ledger_one_original_per_source",
                violation_error_message=_("This act of service is already in the ledger."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} ×{self.quantity}"


class LedgerRollup(models.Model):
    """Sum of the ledger per unit × month × kind × IP type × chain stage × channel.

    Maintained in the same transaction as every ledger write; `ipps ledger verify` proves it
    equals the rows and `ipps ledger rebuild` recomputes it from them.

    The rollup tables are keyed by their cells (a composite primary key, no id), and on SQLite
    stored WITHOUT ROWID (migration ledger/0009): the table is then itself the index of its key,
    holding the sums, where a rowid table kept the same keys three times over (table, unique
    index, covering index). A later migration that has SQLite remake one of these tables must
    restore WITHOUT ROWID (`ipps.ledger.migrations` shows how).
    """

    pk = models.CompositePrimaryKey("unit", "month", "kind", "ip_type", "chain_stage", "channel")
    unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IPType.choices, blank=True)
    chain_stage = models.CharField(
        _("chain stage"), max_length=16, choices=ChainStage.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    quantity = models.BigIntegerField(_("quantity"), default=0)
    record_count = models.BigIntegerField(_("ledger rows"), default=0)

    class Meta:
        ordering = ["month", "unit_id", "kind"]
        verbose_name = _("ledger rollup")
        verbose_name_plural = _("ledger rollups")
        # No other index: every read names the units (the subtree tables answer for a
        # district or the network), and the key leads with the unit.

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.kind} {self.quantity}"


class EnterpriseMonth(models.Model):
    """Net quantity of service an enterprise received from a unit in a month, per kind.

    Exact distinct counts of enterprises served, over any subtree and period, count the distinct
    enterprises here with a positive quantity — so an enterprise served by two workstations is
    counted once for their district.
    """

    pk = models.CompositePrimaryKey("unit", "month", "kind", "enterprise")
    unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column,
    )
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        ordering = ["month", "unit_id"]
        verbose_name = _("enterprise served in a month")
        verbose_name_plural = _("enterprises served by month")
        # The key (unit first) answers a unit's distinct counts; this covering index answers by
        # enterprise (priority coverage) from the index alone.
        indexes = [
            models.Index(
                fields=["enterprise", "month", "unit", "quantity"], name="entmonth_enterprise_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.kind} {self.enterprise_id}"


class LedgerMonthly(models.Model):
    """Sum of the ledger per unit × month × kind: the small table behind the common figures.

    `LedgerRollup` keeps the full breakdown; its cells multiply with every dimension, so the
    dashboards' totals, time series and rankings read this one unless a breakdown by IP type,
    chain stage or channel is asked for. Kept, rebuilt and verified together with the others.
    """

    pk = models.CompositePrimaryKey("unit", "month", "kind")
    unit = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    quantity = models.BigIntegerField(_("quantity"), default=0)
    record_count = models.BigIntegerField(_("ledger rows"), default=0)

    class Meta:
        ordering = ["month", "unit_id", "kind"]
        verbose_name = _("monthly ledger total")
        verbose_name_plural = _("monthly ledger totals")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.kind} {self.quantity}"


class SubtreeRollup(models.Model):
    """`LedgerRollup` summed over each unit's whole subtree (the unit itself included), so that a
    district's or the network's figure reads its own few cells instead of every unit's — the
    organisation-unit levels of DHIS2's analytics tables. Derived from the per-unit rollups;
    `ipps ledger verify` checks it against the rows like the others. Its key leads with the
    subtree's root, so the table (WITHOUT ROWID on SQLite) is its own covering index."""

    pk = models.CompositePrimaryKey("root", "month", "kind", "ip_type", "chain_stage", "channel")
    root = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit and its subtree"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column,
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IPType.choices, blank=True)
    chain_stage = models.CharField(
        _("chain stage"), max_length=16, choices=ChainStage.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    quantity = models.BigIntegerField(_("quantity"), default=0)
    record_count = models.BigIntegerField(_("ledger rows"), default=0)

    class Meta:
        ordering = ["month", "root_id", "kind"]
        verbose_name = _("subtree rollup")
        verbose_name_plural = _("subtree rollups")

    def __str__(self) -> str:
        return f"{self.root_id}+ {self.month:%Y-%m} {self.kind} {self.quantity}"


class SubtreeEnterpriseMonth(models.Model):
    """`EnterpriseMonth` summed over each unit's subtree: exact distinct counts of enterprises
    served by a district or the network read one unit's rows."""

    pk = models.CompositePrimaryKey("root", "month", "kind", "enterprise")
    root = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit and its subtree"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column,
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column,
    )
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        ordering = ["month", "root_id"]
        verbose_name = _("enterprise served in a month, by subtree")
        verbose_name_plural = _("enterprises served by month, by subtree")
        indexes = [
            models.Index(
                fields=["enterprise", "root", "month", "quantity"],
                name="subtree_entmonth_ent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.root_id}+ {self.month:%Y-%m} {self.kind} {self.enterprise_id}"


class SubtreeEnterpriseYear(models.Model):
    """Net quantity an enterprise received from a unit's subtree in a calendar year, all kinds
    together: "enterprises served this year" for the network reads one row per enterprise. Unlike
    the monthly subtree tables it has rows for every unit, workstations and partners included."""

    pk = models.CompositePrimaryKey("root", "year", "enterprise")
    root = models.ForeignKey(
        "network.ServiceUnit",
        verbose_name=_("unit and its subtree"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a unique or covering index starts with this column,
    )
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        ordering = ["year", "root_id"]
        verbose_name = _("enterprise served in a year, by subtree")
        verbose_name_plural = _("enterprises served by year, by subtree")
        indexes = [
            models.Index(
                fields=["enterprise", "root", "year", "quantity"], name="subtree_entyear_ent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.root_id}+ {self.year} {self.enterprise_id}"
