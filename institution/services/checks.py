"""The uniqueness rule the institution's services share."""

from django.db.models import Model, QuerySet

from tesla.errors import Conflict


def unique_check(holders: QuerySet, *, changing: Model | None, field: str, message: str) -> None:
    """A value is taken when a row of `holders` (the rows that hold it) exists besides the one
    being changed (`changing`, None on creation): a 409 naming `field`."""
    if changing is not None:
        holders = holders.exclude(pk=changing.pk)
    if holders.exists():
        raise Conflict(message, field=field)
