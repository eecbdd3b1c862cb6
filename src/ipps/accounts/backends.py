"""Password login with lockout after repeated failures, every attempt audited."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction


class LockoutBackend(ModelBackend):
    """Django's model backend plus: N failures in a row lock the account for M minutes."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User._default_manager.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing reveals nothing
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                actor_name=str(username)[:150],
                changes={"reason": "unknown_user"},
                request=request,
            )
            return None
        now = timezone.now()
        if user.locked_until and user.locked_until > now:
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                actor=user,
                obj=user,
                changes={"reason": "locked"},
                request=request,
            )
            if request is not None:
                request.ipps_locked_until = user.locked_until
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            with transaction.atomic():
                User._default_manager.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins, user.locked_until = 0, None
                audit_record(action=AuditAction.LOGIN, actor=user, obj=user, request=request)
            return user
        with transaction.atomic():
            User._default_manager.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                actor=user,
                obj=user,
                changes={"reason": "bad_password", "failed_logins": user.failed_logins},
                request=request,
            )
            if user.failed_logins >= settings.IPPS_LOCKOUT_THRESHOLD:
                until = now + timedelta(minutes=settings.IPPS_LOCKOUT_MINUTES)
                User._default_manager.filter(pk=user.pk).update(failed_logins=0, locked_until=until)
                audit_record(
                    action=AuditAction.LOCKOUT,
                    actor=user,
                    obj=user,
                    changes={"locked_until": until.isoformat()},
                    request=request,
                )
                if request is not None:
                    request.ipps_locked_until = until
        return None
