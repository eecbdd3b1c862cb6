from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipps.accounts.forms import LoginForm, TokenCreateForm, lockout_context
from ipps.accounts.models import ApiToken
from ipps.accounts.services import password_set, token_create, token_revoke
from ipps.core.audit import audit_record
from ipps.core.choices import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **lockout_context()}


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(
            action=AuditAction.LOGOUT, actor=request.user, obj=request.user, request=request
        )
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
def tokens(request):
    new_token = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = token_create(
            user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = TokenCreateForm()
    items = ApiToken.objects.visible_to(request.user)
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": items, "new_token": new_token}
    )


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    token_revoke(token=token, acting_user=request.user, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_set(
                user=request.user,
                password=form.cleaned_data["new_password1"],
                acting_user=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})
