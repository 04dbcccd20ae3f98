"""Request body parsers that turn every malformed body into a 400 instead of a 500.

DRF's parsers already answer syntax errors with a 400, but two kinds of input still reach the
database or crash the parser:

- JSON nested thousands of levels deep makes `json.loads` raise `RecursionError`, which DRF
  does not catch.
- A NUL character (`\\u0000` in JSON, `%00` in forms) is valid
  input for Python but PostgreSQL refuses it in `text` and `jsonb` columns. DRF's `CharField`
  rejects it, yet JSON fields, dict/list fields without typed children and views that read
  `request.data` themselves would pass it on to a query.

- A lone surrogate (`"\\ud800"` in JSON) decodes to a Python string that cannot be encoded
  as UTF-8, so the database driver fails on it.

So the body is checked once, here, for every endpoint and field: a NUL or a lone surrogate
anywhere (key or value, at any depth) is a 400 naming the top-level field that holds it.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.datastructures import MultiValueDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings

NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Unpaired surrogate characters are not allowed."


def _unstorable(text: str) -> str | None:
    """Why a string cannot be stored in the database, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _printable(text: str) -> str:
    """The text without the characters that cannot be stored (to name a field in an error)."""
    return "".join(ch for ch in text if ch != "\x00" and not "\ud800" <= ch <= "\udfff")


def unstorable(value) -> str | None:
    """Why a parsed value cannot be stored (a NUL or a lone surrogate in any string or key, at
    any depth), or None when it can.

    Iterative, so a body the JSON decoder could just nest cannot overflow the stack here."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            reason = _unstorable(item)
            if reason:
                return reason
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return None


def contains_nul(value) -> bool:
    """Whether a parsed value holds a NUL character in any string or key, at any depth."""
    return unstorable(value) == NUL_MESSAGE


def reject_nul(data) -> None:
    """Raise a 400 naming each top-level field whose value (or name) holds a NUL character.

    Uploaded files need no check: Django drops unprintable characters from their names."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(data, MultiValueDict):
        items = ((key, data.getlist(key)) for key in data)
    elif isinstance(data, dict):
        items = data.items()
    else:
        items = ((api_settings.NON_FIELD_ERRORS_KEY, data),)
    errors: dict[str, list[str]] = {}
    for key, value in items:
        reason = unstorable(key) or unstorable(value)
        if reason:
            name = _printable(key) if isinstance(key, str) else str(key)
            errors[name or api_settings.NON_FIELD_ERRORS_KEY] = [reason]
    if errors:
        raise ValidationError(errors)


class JSONParser(parsers.JSONParser):
    """JSON bodies; too deep nesting and NUL characters are 400s."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        reject_nul(data)
        return data


class FormParser(parsers.FormParser):
    """URL-encoded forms; NUL characters are 400s."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        reject_nul(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Multipart forms and uploads; NUL characters in field values are 400s."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        reject_nul(result.data)
        return result
