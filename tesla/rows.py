"""Row-level writes that stay safe under concurrency, shared by every app.

Counters and queue rows (histograms, pending work, outbox jobs, enrolment models) are written
by many transactions at once. Reading a row and inserting it when missing (`get_or_create`, or
an insert in a savepoint that falls back on IntegrityError) lets two transactions wait on each
other's uncommitted insert in whatever order they happen to run; an upsert is one statement
that either inserts or finds the row, in the order the caller takes its locks."""

from typing import Any

from django.db.models import Model


def row_upsert(
    model: type[Model], *, keys: dict[str, Any], defaults: dict[str, Any] | None = None, **changes
) -> int:
    """Make sure the row named by `keys` (a unique constraint of `model`) exists, created with
    `defaults` when missing, then apply `changes` (values or F() expressions) to it.

    Returns the number of rows changed (0 when there is nothing to change). The insert is
    `INSERT ... ON CONFLICT DO NOTHING`: a row that exists is no error and needs no savepoint.
    `keys` and `defaults` must make a complete new row even when one exists (NOT NULL is
    checked before the conflict)."""
    model._default_manager.bulk_create([model(**keys, **(defaults or {}))], ignore_conflicts=True)
    if not changes:
        return 0
    return model._default_manager.filter(**keys).update(**changes)
