"""Writes about accounts: tokens, roles, passwords. Each one audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ipps.accounts.models import ApiToken, User
from ipps.core.audit import audit_record, snapshot
from ipps.core.choices import AuditAction
from ipps.core.errors import ServiceError
from ipps.network.models import Membership, ServiceUnit
from ipps.network.scope import clear_cache


@transaction.atomic
def token_create(
    *, user: User, name: str, acting_user: User | None = None, request=None
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the token row and the raw token, shown only once."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("name_required", "A token needs a name.", field="name")
    raw, prefix, digest = ApiToken.generate()
    token = ApiToken(user=user, name=name[:100], prefix=prefix, digest=digest)
    token.full_clean()
    token.save()
    audit_record(
        action=AuditAction.TOKEN_CREATED,
        actor=acting_user or user,
        obj=token,
        changes={"after": {"user": user.username, "name": token.name, "prefix": prefix}},
        request=request,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, acting_user: User, request=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            actor=acting_user,
            obj=token,
            changes={"after": {"revoked_at": token.revoked_at.isoformat()}},
            request=request,
        )
    return token


@transaction.atomic
def membership_grant(
    *, user: User, unit: ServiceUnit, role: str, acting_user: User | None, request=None
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"created_by": acting_user}
    )
    if created:
        audit_record(
            action=AuditAction.ROLE_GRANTED,
            actor=acting_user,
            obj=membership,
            changes={"after": snapshot(membership, ["user", "unit", "role"])},
            request=request,
        )
        clear_cache(user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, acting_user: User | None, request=None) -> None:
    before = snapshot(membership, ["user", "unit", "role"])
    audit_record(
        action=AuditAction.ROLE_REVOKED,
        actor=acting_user,
        obj=membership,
        changes={"before": before},
        request=request,
    )
    membership.delete()
    clear_cache(membership.user)


@transaction.atomic
def password_set(*, user: User, password: str, acting_user: User | None, request=None) -> User:
    """Set a password after checking it against the policy (raises ValidationError)."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(
        action=AuditAction.PASSWORD_CHANGED, actor=acting_user or user, obj=user, request=request
    )
    return user


@transaction.atomic
def account_unlock(*, user: User, acting_user: User | None, request=None) -> User:
    """Lift a lockout and reset the failure counter before the lock runs out."""
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit_record(
        action=AuditAction.UPDATE,
        actor=acting_user,
        obj=user,
        changes={
            "before": before,
            "after": {"failed_logins": 0, "locked_until": None},
            "reason": "account_unlocked",
        },
        request=request,
    )
    return user
