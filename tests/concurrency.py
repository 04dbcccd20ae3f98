"""Helpers for tests that race real threads against PostgreSQL.

Each thread has its own database connection and its own request transaction, and works on
committed data (`django_db(transaction=True)`), so row locks, uniqueness races and deadlocks
really happen. SQLite serialises writers and cannot show them: such tests carry
`requires_postgresql` (the `postgresql` marker: tests/conftest.py skips it on SQLite and says
so in the summary)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

requires_postgresql = pytest.mark.postgresql


def run_concurrently(calls: list[Callable], *, timeout: float = 60) -> list:
    """Run each call in its own thread, all released at the same moment; return the
    responses' status codes (or whatever else the call returns, or the exception it raised)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcome = call()
            outcomes[index] = getattr(outcome, "status_code", outcome)
        except Exception as error:  # collected and asserted on by the caller
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return outcomes
