"""One exception handler for the whole API: every error is JSON and none comes from input.

- DRF errors keep their shape (400 with a message per field, 401, 403, 404, 405...).
- Database uniqueness conflicts and protected deletes are 409.
- A Django `ValidationError` raised by a model or service is a 400 naming the fields.
- A service's `tesla.errors.ApplicationError` has its own status (404, 403, 409, 503...).
- A body larger than the configured cap is 413.
- A database that is down, unreachable or timed out is 503 with Retry-After.
- A view with `error_envelope = True` (the LAPI intakes, the VLE attachment intake) answers a
  400 in the original's envelope, `{"status": "ERROR", "errors": {field: [...]}}`: the browser
  and Moodle plugins read only `status`.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connections
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from tesla.errors import ApplicationError


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ServiceError(exceptions.APIException):
    """An `ApplicationError` on its way out, with its status and body."""

    def __init__(self, error: ApplicationError):
        super().__init__(error.message)
        self.status_code = error.status_code
        # The body as the service built it: `extra` keeps its numbers and lists.
        self.detail = error.body()


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"

    def __init__(self):
        super().__init__()
        self.wait = settings.DATABASE_RETRY_AFTER_SECONDS  # becomes Retry-After


def api_exception(exc: Exception) -> Exception:
    """The DRF exception an exception raised below the views answers as (or `exc` itself)."""
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, IntegrityError):
        return Conflict("A resource with these values already exists.")
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict("The resource is still in use and cannot be deleted.")
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnavailable()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ApplicationError):
        return ServiceError(exc)
    return exc


def exception_handler(exc, context):
    exc = api_exception(exc)
    # DRF marks the open transaction for rollback when it turns an exception into a response.
    # A view that runs without a transaction of its own (a read, see TransactionPerWrite) must
    # not mark a transaction its caller opened (a test's, a management command's).
    own_transaction = getattr(context.get("view"), "runs_in_transaction", True)
    marked = {alias: connections[alias].needs_rollback for alias in connections}
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST and getattr(
        context.get("view"), "error_envelope", False
    ):
        response.data = {"status": "ERROR", "errors": response.data}
    if own_transaction:
        set_rollback()
    else:
        for alias, needs_rollback in marked.items():
            if connections[alias].in_atomic_block:
                connections[alias].needs_rollback = needs_rollback
    return response


def error_response(detail, status_code: int) -> Response:
    """A JSON error body in the handler's shape, for views that answer errors themselves."""
    return Response(detail if isinstance(detail, dict) else {"detail": detail}, status=status_code)
