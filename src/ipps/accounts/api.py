"""The signed-in person (`/me`) and their API tokens."""

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from ninja import Router
from ninja.pagination import paginate

from ipps.accounts.schemas import MembershipOut, MeOut, TokenOut
from ipps.accounts.selectors import token_list, user_memberships
from ipps.accounts.services import token_revoke
from ipps.core.api import Error, Pagination

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, 401: Error}, summary="The authenticated user")
def me(request):
    """Who you are: your account, your company (portal users) and your roles on units."""
    user = request.auth
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        is_superuser=user.is_superuser,
        enterprise=user.enterprise_id,
        memberships=[
            MembershipOut(
                unit_id=m.unit_id, unit_code=m.unit.code, unit_name=m.unit.name, role=m.role
            )
            for m in user_memberships(user=user)
        ],
        language=get_language() or "en",
    )


@router.get("/me/tokens", response={200: list[TokenOut], 401: Error}, summary="Your API tokens")
@paginate(Pagination)
def tokens(request):
    """Your tokens, newest first. The token itself is shown only once, when it is created."""
    return token_list(user=request.auth)


@router.get(
    "/me/tokens/{token_id}",
    response={200: TokenOut, 401: Error, 404: Error},
    summary="One of your API tokens",
)
def token_detail(request, token_id: int):
    return get_object_or_404(token_list(user=request.auth), pk=token_id)


@router.post(
    "/me/tokens/{token_id}/revoke",
    response={200: TokenOut, 401: Error, 403: Error, 404: Error},
    summary="Revoke one of your API tokens",
)
def token_revoke_endpoint(request, token_id: int):
    """Revoking is immediate and cannot be undone; revoking a revoked token changes nothing."""
    token = get_object_or_404(token_list(user=request.auth), pk=token_id)
    return token_revoke(token=token, acting_user=request.auth, request=request)
