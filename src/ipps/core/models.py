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
from ipps.core.i18n import say, say_stored


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


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes: rows of an append-only table are written once."""

    def update(self, **kwargs):
        raise TypeError(self.model.append_only_message)

    def delete(self):
        raise TypeError(self.model.append_only_message)


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted (audit log, ledger, timelines)."""

    append_only_message = "This table is append-only"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(self.append_only_message)


class AuditQuerySet(AppendOnlyQuerySet):
    pass


class AuditEvent(AppendOnlyModel):
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
    # Every audited act writes a row: (object type, object id) is indexed together (an object's
    # history, the object types in the log); the few actions need no index of their own.
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    append_only_message = "The audit log is append-only"
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
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


class CalendarDay(TimeStampedModel):
    """An administrator's override of one day: a day off or a (make-up) working day."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {_('working day') if self.is_working else _('day off')}"


class CalendarYear(TimeStampedModel):
    """A year whose holidays and make-up workdays have been entered by hand.

    Years after the `chinesecalendar` package's data are only usable once marked here.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message for one user in the application (service-level warnings, assignments…).

    `text` is the message as written, in the language active then (the actor's, or the default
    language in the background worker). `message` (the untranslated message) and `params` (its
    values) let each reader see it in their own language: see `shown`.
    """

    TEXT_LENGTH = 500

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_user_read_idx starts with it
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=32)
    text = models.CharField(_("text"), max_length=TEXT_LENGTH)
    message = models.CharField(_("message"), max_length=200, blank=True, default="")
    params = models.JSONField(_("message values"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read_idx")]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def written(cls, message: str, params: dict) -> dict:
        """The `text`, `message` and `params` of a notification: `message` is untranslated (mark
        it with `gettext_noop`); a value may be said in each language (`ipps.core.i18n.
        in_each_language`: a unit's name); the text is in the language active now."""
        return {"text": cls._format(message, params), "message": message, "params": params}

    @property
    def shown(self) -> str:
        """The text in the language active now: the message translated, with its values. A row
        without a message (written before messages were kept), or whose message no longer takes
        its values, shows the text as written."""
        said = {"msg": self.message, "args": self.params} if self.message else None
        return say_stored(said, self.text)[: self.TEXT_LENGTH]

    @classmethod
    def _format(cls, message: str, params: dict) -> str:
        return say({"msg": message, "args": params})[: cls.TEXT_LENGTH]
