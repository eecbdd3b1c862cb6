"""Errors raised by services: a stable code, a message in the user's language, the field at fault."""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule refused the request; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(
        self, code: str, message: str, *, field: str | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status


class ConflictError(ServiceError):
    status = 409


class PermissionDeniedError(ServiceError):
    status = 403
