"""Base models, the archival mixin and the append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipps.core.choices import AuditAction


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows what a given user may see; every scoped model subclasses it."""

    def visible_to(self, user):  # pragma: no cover - each model defines its own scope
        raise NotImplementedError(f"{self.model.__name__} must define visible_to()")

    def restrict(self, user, action: str = "view"):
        return self.visible_to(user)


class ArchivableQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class TimeStampedModel(models.Model):
    """Every business record knows when it was created and changed, and by whom it was created."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class ArchivableModel(TimeStampedModel):
    """Business records are archived, never deleted."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only")

    def delete(self):
        raise TypeError("The audit log is append-only")


class AuditEvent(models.Model):
    """One row per security-relevant or business-relevant act; rows are chained by SHA-256."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def canonical(self) -> str:
        """The text the hash covers: every field but the hash itself, in a fixed form."""
        at = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body = {
            "at": at,
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "ip_address": self.ip_address,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only")
