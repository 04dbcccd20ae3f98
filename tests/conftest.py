"""Layered fixtures (institution -> vle -> course -> activity) and one API client per persona.

`api("inst_admin")` returns a client authenticated as that persona; permission matrices
parametrize over persona names. Personas of *our* institution: global_admin, inst_admin,
legal_admin, send_admin, data_admin, instructor (of `course`), learner (of `course`), member
(no role), vle (our `vle`), learner_token (the learner's session token). Outsiders:
other_vle (another VLE of our institution), foreign_admin and foreign_vle (another
institution), provider, anonymous.
"""

import importlib

import pytest
from rest_framework.test import APIClient

from tests import factories

STANDARD_INSTRUMENTS = importlib.import_module("vle.migrations.0002_standard_instruments")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` (threads racing on one row, row locks) only mean something on
    PostgreSQL; on the embedded SQLite they are skipped, and the summary says so."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (concurrency); this run uses SQLite")
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded and stored documents go to a temporary folder, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def standard_instruments_survive_flushes(request):
    """Transactional tests flush every table, including the rows of data migrations; put the
    five standard instruments back so each test starts from a migrated database."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in (
        request.fixturenames
    )
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from vle.models import Instrument

    for values in STANDARD_INSTRUMENTS.INSTRUMENTS:
        Instrument.objects.get_or_create(id=values["id"], defaults=values)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with production strength costs ~0.3 s per password; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def institution(db):
    return factories.institution()


@pytest.fixture
def other_institution(db):
    return factories.institution()


@pytest.fixture
def vle(institution):
    return factories.vle(institution)


@pytest.fixture
def other_vle(institution):
    return factories.vle(institution)


@pytest.fixture
def foreign_vle(other_institution):
    return factories.vle(other_institution)


@pytest.fixture
def course(vle):
    return factories.course(vle)


@pytest.fixture
def activity(course):
    return factories.activity(course)


@pytest.fixture
def global_admin(db):
    return factories.user(None, is_staff=True)


@pytest.fixture
def inst_admin(institution):
    return factories.user(institution, inst_admin=True)


@pytest.fixture
def legal_admin(institution):
    return factories.user(institution, legal_admin=True)


@pytest.fixture
def send_admin(institution):
    return factories.user(institution, send_admin=True)


@pytest.fixture
def data_admin(institution):
    return factories.user(institution, data_admin=True)


@pytest.fixture
def member(institution):
    return factories.user(institution)


@pytest.fixture
def instructor(institution, course):
    account = factories.user(institution, instructor=True)
    course.instructors.add(account.institution_user.instructor)
    return account


@pytest.fixture
def learner(institution, course):
    account = factories.user(institution, learner=True)
    course.learners.add(account.institution_user.learner)
    return account


@pytest.fixture
def foreign_admin(other_institution):
    return factories.user(other_institution, inst_admin=True)


@pytest.fixture
def provider(db):
    return factories.provider(1)


@pytest.fixture
def learner_token(learner):
    return learner.institution_user.learner


PERSONAS = (
    "anonymous",
    "global_admin",
    "inst_admin",
    "legal_admin",
    "send_admin",
    "data_admin",
    "instructor",
    "learner",
    "member",
    "foreign_admin",
    "vle",
    "other_vle",
    "foreign_vle",
    "provider",
    "learner_token",
)


@pytest.fixture
def api(request, db):
    """`api(persona)` -> an APIClient authenticated as that persona (any fixture that is a
    user, learner, VLE or provider; a fixture that is already a client is returned as is)."""

    def make(persona: str):
        if persona == "anonymous":
            return factories.client_for(None)
        principal = request.getfixturevalue(persona)
        if isinstance(principal, APIClient):  # a ready client (e.g. a Course Service app)
            return principal
        return factories.client_for(principal)

    return make
