"""Password rules of the security baseline (MLPS 2.0 level 3)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    classes = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def validate(self, password, user=None):
        found = sum(1 for pattern in self.classes if re.search(pattern, password))
        if found < 3:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, upper-case "
                    "letters, digits and other characters."
                ),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Use at least three of: lower-case letters, upper-case letters, digits and other characters."
        )


class NotUsernameValidator:
    """The password may not contain the user name."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if username and username in password.lower():
            raise ValidationError(
                _("The password may not contain the user name."), code="password_has_username"
            )

    def get_help_text(self):
        return _("The password may not contain your user name.")
