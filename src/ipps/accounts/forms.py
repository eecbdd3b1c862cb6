from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            until = getattr(self.request, "ipps_locked_until", None)
            if until is not None:
                raise forms.ValidationError(
                    _("Too many failed attempts: this account is locked until %(time)s.")
                    % {"time": formats.time_format(timezone.localtime(until), "H:i")},
                    code="locked",
                ) from None
            raise


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'monthly export script'."),
    )


def lockout_context() -> dict:
    return {
        "lockout_threshold": settings.IPPS_LOCKOUT_THRESHOLD,
        "lockout_minutes": settings.IPPS_LOCKOUT_MINUTES,
    }
