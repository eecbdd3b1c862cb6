"""The units of the network: a directory every signed-in user may read."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from ipps.core.api import Error, Pagination
from ipps.network import selectors
from ipps.network.schemas import UnitDetailOut, UnitFilters, UnitOut

router = Router(tags=["network"])


@router.get(
    "/units",
    response={200: list[UnitOut], 401: Error, 422: Error},
    summary="List service units",
)
@paginate(Pagination)
def units_list(request, filters: Query[UnitFilters]):
    """Units of the network, ordered by code. The directory is public to every signed-in user."""
    return selectors.unit_list(user=request.auth, **filters.model_dump())


@router.get(
    "/units/{int:unit_id}",
    response={200: UnitDetailOut, 401: Error, 404: Error},
    summary="One service unit",
)
def units_detail(request, unit_id: int):
    return get_object_or_404(selectors.unit_list(user=request.auth), pk=unit_id)
