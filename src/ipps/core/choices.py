from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    ARCHIVE = "archive", _("Archived")
    RESTORE = "restore", _("Restored")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Account locked")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")


class IPType(models.TextChoices):
    """The whole field of IP a request or an act of service concerns."""

    PATENT = "patent", _("Patent")
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")
    GEOGRAPHICAL_INDICATION = "geographical_indication", _("Geographical indication")
    TRADE_SECRET = "trade_secret", _("Trade secret")
    OTHER = "other", _("Other")


class ChainStage(models.TextChoices):
    """The whole chain of IP work."""

    CREATION = "creation", _("Creation")
    UTILISATION = "utilisation", _("Utilisation")
    PROTECTION = "protection", _("Protection")
    MANAGEMENT = "management", _("Management")
    SERVICES = "services", _("Services")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    VISIT = "visit", _("Visit")
    REFERRAL = "referral", _("Referral")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    API = "api", _("API")
