"""The institution tests' consent in force and SEND category, shared with these tests."""

from tests.institution.conftest import consent, send_category  # noqa: F401
