"""The JSON API at /api/v1/: authentication, error shape and renderer shared by every router."""

from __future__ import annotations

import json
import logging
import types
import typing
from datetime import datetime, timedelta
from functools import cache
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError
from django.db.models import Manager, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from ipps.core.errors import ServiceError
from ipps.core.prepared import Prepared

logger = logging.getLogger(__name__)


class Error(Schema):
    """Every error the API answers with: a stable code, a message, the field at fault."""

    code: str
    message: str
    field: str | None = None


class ApiJSONEncoder(NinjaJSONEncoder):
    """ninja's encoder, times first: they are most of what an answer's values need encoding for,
    and ninja's checks before Django's formatting (pydantic's model check among them, which looks
    for an attribute a datetime does not have) cost several times the formatting itself."""

    def default(self, o):
        if type(o) is datetime:
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class UnicodeJSONRenderer(JSONRenderer):
    # ninja adds "; charset=…" (the renderer's `charset`, utf-8) to the answers' Content-Type.
    media_type = "application/json"
    encoder_class = ApiJSONEncoder
    json_dumps_params = {"ensure_ascii": False}


def _usable_token(digest):
    from ipps.accounts.models import ApiToken

    return (
        ApiToken.objects.usable().select_related("user").filter(digest=digest, user__is_active=True)
    )


_USABLE_TOKEN = Prepared(_usable_token)  # every API call reads it: compiled once


class BearerTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        from ipps.accounts.models import ApiToken, hash_token

        found = _USABLE_TOKEN.first(digest=hash_token(token))  # the digest is unique
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found.user


class StaffSessionAuth(SessionAuth):
    """The logged-in browser session (CSRF-checked on writes).

    A call without the session cookie cannot be authenticated by a session, so it is not checked
    for CSRF either: a program whose token is wrong or missing is told it is not authenticated
    (401), not that a CSRF check failed (403). A call with the cookie is checked as before."""

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


# The largest offset a list takes: beyond it, SQLite refuses the LIMIT/OFFSET (a 64-bit one
# answered 500), and no list here is that long.
MAX_OFFSET = 2**31 - 1

# Ids are 64-bit: a body's list of ids says so, and a larger one is a validation error rather
# than a value the database refuses in the middle of a write.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Pagination(LimitOffsetPagination):
    """ninja's `limit`/`offset` pagination, with an offset the databases can take."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class IppsNinjaAPI(NinjaAPI):
    """ninja's API, whose answers are made with their charset given rather than found again: an
    `HttpResponse` made with only a Content-Type looks the charset up in it with a regular
    expression when its content is set, and ninja makes two a call (the one the view may add
    headers to, then the answer)."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        if temporal_response is not None or not status:
            return super().create_response(
                request, data, status=status, temporal_response=temporal_response
            )
        content = self.renderer.render(request, data, response_status=status)
        return HttpResponse(
            content,
            status=status,
            content_type=self.get_content_type(),
            charset=self.renderer.charset,
        )

    def create_temporal_response(self, request):
        return HttpResponse("", content_type=self.get_content_type(), charset=self.renderer.charset)

    def get_openapi_schema(self, *args, **kwargs):
        """ninja's description, with the answers every operation can give declared where the
        operation does not: 422 when it takes parameters or a body (malformed values), 400 when
        it takes a body (not JSON, or a multipart form that cannot be read)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if operation.get("requestBody") and 400 not in responses:
                    responses[400] = {"description": "Bad Request", **error}
                if (operation.get("parameters") or operation.get("requestBody")) and (
                    422 not in responses
                ):
                    responses[422] = {"description": "Unprocessable Entity", **error}
        return schema


api = IppsNinjaAPI(
    title="ipps API",
    version="1",
    description=(
        "The API of ipps, the platform of an IP public service network. Authenticate with "
        "`Authorization: Bearer <token>` (create tokens on your Tokens page or with "
        "`ipps createtoken`) or with a browser session. Lists take `limit` and `offset` and "
        "return `count` and `items`. Errors are `{code, message, field}`."
    ),
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    renderer=UnicodeJSONRenderer(),
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request, status: int, code: str, message: str, field: str | None = None, **extra):
    body = {"code": code, "message": str(message), "field": field, **extra}
    return api.create_response(request, body, status=status)


def _loc_to_field(loc) -> str | None:
    # Drop the location ("body", "query"…) and the body parameter's name, keep the field's path
    # (a field may itself be called "body", e.g. a comment's text).
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "form", "file", "header", "cookie"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


# pydantic's messages are English only; these say the same in the caller's language, by the
# error's type (stable across pydantic versions), with the limits from its context.
_VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("Enter a value in the expected format."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "date_type": gettext_lazy("Enter a date, such as 2026-10-08."),
    "date_parsing": gettext_lazy("Enter a date, such as 2026-10-08."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date, such as 2026-10-08."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date, such as 2026-10-08."),
    "datetime_type": gettext_lazy("Enter a date and time, such as 2026-10-08T09:30:00+08:00."),
    "datetime_parsing": gettext_lazy("Enter a date and time, such as 2026-10-08T09:30:00+08:00."),
    "datetime_from_date_parsing": gettext_lazy(
        "Enter a date and time, such as 2026-10-08T09:30:00+08:00."
    ),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
    "list_type": gettext_lazy("Give a list."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "dict_type": gettext_lazy("Give an object."),
    "model_type": gettext_lazy("Give an object."),
    "model_attributes_type": gettext_lazy("Give an object."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "json_type": gettext_lazy("The body is not valid JSON."),
    "uuid_type": gettext_lazy("Enter a UUID."),
    "uuid_parsing": gettext_lazy("Enter a UUID."),
}


def validation_message(error: dict) -> str:
    """One of pydantic's errors in the caller's language: by its type where we know it, the text
    of our own validators' errors, else pydantic's (English) message."""
    kind = error.get("type")
    context = error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])  # raised by our validators, already translated
    message = _VALIDATION_MESSAGES.get(kind)
    if message is None:
        return error.get("msg", "")
    values = {key: value for key, value in context.items() if isinstance(value, str | int | float)}
    if isinstance(values.get("expected"), str):  # "'a', 'b' or 'c'": the "or" is English
        values["expected"] = values["expected"].replace("' or '", "', '")
    text = str(message)  # translated once
    try:
        return text % values if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return error.get("msg", "")


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [
        {
            "field": _loc_to_field(e.get("loc", ())),
            "message": validation_message(e),
            "type": e.get("type"),
        }
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": _("Invalid input.")}
    return _error(
        request,
        422,
        "validation_error",
        f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        first["field"],
        errors=errors,
    )


@api.exception_handler(DjangoValidationError)
def on_model_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": None if name == "__all__" else name, "message": str(msg)}
            for name, messages in exc.message_dict.items()
            for msg in messages
        ]
    else:
        errors = [{"field": None, "message": str(m)} for m in exc.messages]
    first = errors[0]
    return _error(request, 422, "validation_error", first["message"], first["field"], errors=errors)


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    """A number too large for the database (SQLite's driver refuses it with OverflowError,
    PostgreSQL with a DataError): the caller's input, not a fault of ours. Nothing was written
    (the transaction it happened in was rolled back); logged, in case it was ours after all."""
    logger.warning("Out-of-range value in %s %s: %s", request.method, request.path, exc)
    return _error(
        request, 422, "out_of_range", _("A number in the request is too large or too small.")
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(
        request,
        401,
        "not_authenticated",
        _("Authentication required: send 'Authorization: Bearer <token>' or log in."),
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
    }
    text = str(exc)
    # With DEBUG on, ninja appends the parser's own words: "Cannot parse request body (…)"; they
    # stay as they are after the message in the caller's language.
    known = text.split(" (", 1)[0]
    message = _NINJA_MESSAGES.get(known)
    if message is not None:
        text = f"{message} {text[len(known) :].strip()}".strip()
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), text)


# ninja's own messages (English only), in the caller's language.
_NINJA_MESSAGES = {
    "Cannot parse request body": gettext_lazy("The body is not valid JSON."),
    "CSRF check Failed": gettext_lazy(
        "The CSRF check failed: a write with the session cookie must send the session's CSRF "
        "token in the X-CSRFToken header."
    ),
}


# Answers built without pydantic -------------------------------------------------------------------

_MISSING = object()


def _nested(annotation) -> tuple[type[Schema] | None, bool]:
    """(the Schema a field holds, whether it holds a list of them) for `X`, `X | None`, `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        if len(kinds) == 1:
            return _nested(kinds[0])
    elif origin is list and len(args) == 1:
        inner, many = _nested(args[0])
        if inner is not None and not many:
            return inner, True
    return None, False


@cache
def _plan(schema: type[Schema]) -> tuple:
    """Per field: name, resolver (function, takes context), nested schema, list of it, default."""
    plan = []
    for name, info in schema.model_fields.items():
        if info.alias or info.validation_alias or info.serialization_alias:
            raise TypeError(f"{schema.__name__}.{name}: aliases are not supported by dump()")
        resolver = schema._ninja_resolvers.get(name)
        function = (resolver._func, resolver._takes_context) if resolver is not None else None
        inner, many = _nested(info.annotation)
        default = _MISSING if info.is_required() else info.get_default(call_default_factory=True)
        plan.append((name, function, inner, many, default))
    return tuple(plan)


def _value(obj, name: str):
    # What ninja's DjangoGetter reads: an attribute (or key), managers and querysets as lists,
    # methods called, files as their URL.
    value = obj[name] if isinstance(obj, dict) else getattr(obj, name)
    if isinstance(value, Manager):
        return list(value.all())
    if isinstance(value, QuerySet):
        return list(value)
    if callable(value):
        return value()
    if isinstance(value, FieldFile):
        return value.url if value else None
    return value


def dump(schema: type[Schema], obj, context: dict | None = None) -> dict:
    """`schema.model_validate(obj, context=context).model_dump()` for an object whose values
    already have the schema's types (a model the service has just written or read): resolvers and
    nested schemas applied, values not validated again. About a tenth of a hot request's time went
    to pydantic's validation of a 40-field answer through ninja's attribute getter. With the
    setting `IPPS_API_VERIFY_DUMPS` (on in the tests) every dump is compared with pydantic's."""
    out = {}
    for name, function, inner, many, default in _plan(schema):
        if function is not None:
            func, takes_context = function
            value = func(obj, context=context) if takes_context else func(obj)
        else:
            try:
                value = _value(obj, name)
            except (AttributeError, KeyError):
                if default is _MISSING:
                    raise
                value = default
        if inner is not None and value is not None:
            value = (
                [dump(inner, v, context) for v in value] if many else dump(inner, value, context)
            )
        out[name] = value
    return out


def respond(request, schema: type[Schema], obj, *, status: int = 200) -> HttpResponse:
    """The answer a view declared with `response={status: schema}` gives for `obj`, built by
    `dump()`. The operation's documented schema stays the source of the answer's shape."""
    context = {"request": request, "response_status": status}
    data = dump(schema, obj, context)
    if getattr(settings, "IPPS_API_VERIFY_DUMPS", False):
        expected = schema.model_validate(obj, context=context).model_dump()
        if data != expected:
            raise AssertionError(f"dump({schema.__name__}) differs: {data!r} != {expected!r}")
    return api.create_response(request, data, status=status)


def json_default(value):
    return str(value)


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=json_default)


_registered = False


def register_routers() -> NinjaAPI:
    """Attach every app's router once (urls.py calls this before reading api.urls)."""
    global _registered
    if not _registered:
        from ipps.accounts.api import router as accounts_router
        from ipps.assessment.api import funding_router
        from ipps.assessment.api import router as assessment_router
        from ipps.casework.api import router as casework_router
        from ipps.core.calendar_api import router as calendar_router
        from ipps.enterprises.api import router as enterprises_router
        from ipps.ledger.api import router as ledger_router
        from ipps.network.api import router as network_router
        from ipps.reporting.api import router as reporting_router

        api.add_router("", accounts_router)
        api.add_router("", network_router)
        api.add_router("", enterprises_router)
        api.add_router("", calendar_router)
        api.add_router("", casework_router)
        api.add_router("", ledger_router)
        api.add_router("", reporting_router)
        api.add_router("", assessment_router)
        api.add_router("", funding_router)
        _registered = True
    return api
