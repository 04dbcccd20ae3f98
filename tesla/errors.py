"""The errors services raise, and the only ones besides Django's own.

Services never raise DRF exceptions: they are HTTP-free and run as well from a Celery task or
a management command. Invalid input is a Django `ValidationError` (a 400 naming the fields);
every other refusal is one of the `ApplicationError` family below. `tesla.exceptions` turns
both into the API's JSON errors, in one place.

    raise NotFound("Unknown activity of this course.", field="activity_id")
    raise Forbidden("A VLE cannot change this person.")
    raise Conflict("This e-mail is already in use.", field="email")
"""

from typing import Any


class ApplicationError(Exception):
    """A refusal a service decides, with the HTTP status the API answers it with.

    `field`, when given, names the input the message is about: the body becomes
    `{field: [message]}`, as for a validation error; otherwise `{"detail": message}`.
    `extra` adds keys to a `{"detail": ...}` body (e.g. what an object still owns)."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        if self.field is not None:
            return {self.field: [self.message]}
        return {"detail": self.message, **self.extra}


class NotFound(ApplicationError):
    status_code = 404


class Forbidden(ApplicationError):
    status_code = 403


class Conflict(ApplicationError):
    status_code = 409


class TooLarge(ApplicationError):
    """An upload or a body over its size cap."""

    status_code = 413


class Unavailable(ApplicationError):
    """A dependency (a provider, a remote server) cannot answer now."""

    status_code = 503
