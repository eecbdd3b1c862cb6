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
