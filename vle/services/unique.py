"""Writes that may collide with a concurrent request on a unique value.

VLE plugins call the sync endpoints on every page view, often several at once for the same
course, activity or person. A uniqueness check before the write catches the common case; the
write itself runs in a savepoint, so a request that loses the race after the check gets the
same refusal as one the check caught, and the request's transaction (ATOMIC_REQUESTS) stays
usable after the collision.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tesla.errors import Conflict

T = TypeVar("T")


def taken(*, field: str, message: str, conflict: bool = True) -> Exception:
    """The refusal of a value already in use: a 409 naming `field` (`conflict`), or a 400
    naming it for the doors whose clients expect invalid input."""
    if conflict:
        return Conflict(message, field=field)
    return ValidationError({field: [message]})


def write_unique(write: Callable[[], T], *, refusal: Exception) -> T:
    """Run `write()` in a savepoint; a uniqueness conflict (also one with a concurrent request
    that committed first) raises `refusal` instead."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        raise refusal from error
