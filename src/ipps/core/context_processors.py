from ipps.network.choices import BUSINESS_ROLES
from ipps.network.scope import has_role, is_staff_user


def _unread_count(user):
    """The unread notifications, counted only when a page shows the bell, and once."""
    cache: list[int] = []

    def count() -> int:
        if not cache:
            from ipps.core.models import Notification

            cache.append(Notification.objects.visible_to(user).unread().count())
        return cache[0]

    return count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "staff": is_staff_user(user),
            # Auditors and security administrators hold no business role: no business menus.
            "business": has_role(user, *BUSINESS_ROLES),
            "portal": bool(getattr(user, "enterprise_id", None)),
            "auditor": has_role(user, "auditor", "security_admin"),
            "admin": user.is_superuser or has_role(user, "admin", "security_admin"),
        },
        "unread_notifications": _unread_count(user),
    }
