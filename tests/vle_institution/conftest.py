"""Fixtures for the VLE app's institution-tree endpoints: a course group holding `course`, a
second instructor and learner enrolled in `course`, people of the institution who are not
enrolled, an instrument configured on `activity`, and URL builders."""

import pytest

from institution.models import CourseGroup
from tests import factories
from vle.models import ActivityInstrument, Instrument


@pytest.fixture
def group(institution, course):
    group = CourseGroup.objects.create(institution=institution, name="Group")
    group.courses.add(course)
    return group


@pytest.fixture
def enrolled_instructor(institution, course):
    """An instructor of `course` other than the `instructor` persona."""
    account = factories.user(institution, instructor=True)
    course.instructors.add(account.institution_user.instructor)
    return account.institution_user.instructor


@pytest.fixture
def enrolled_learner(institution, course):
    """A learner of `course` other than the `learner` persona."""
    account = factories.user(institution, learner=True)
    course.learners.add(account.institution_user.learner)
    return account.institution_user.learner


@pytest.fixture
def spare_instructor(institution):
    """An instructor of the institution who is not in `course`."""
    return factories.user(institution, instructor=True).institution_user.instructor


@pytest.fixture
def spare_learner(institution):
    """A learner of the institution who is not in `course`."""
    return factories.user(institution, learner=True).institution_user.learner


@pytest.fixture
def face_row(activity):
    """Face recognition (instrument 1) configured on `activity`."""
    return ActivityInstrument.objects.create(
        activity=activity, instrument_id=1, active=True, options={"online": True}
    )


@pytest.fixture
def spare_instrument(db):
    """An instrument nothing uses."""
    return Instrument.objects.create(name="Spare", acronym="spare", queue="tesla_spare")


class Urls:
    """URL builders for the institution `i`."""

    def __init__(self, institution_id: int):
        self.i = institution_id

    def base(self) -> str:
        return f"/api/v2/institution/{self.i}"

    def vle(self, pk=None, action=None) -> str:
        return self._item(f"{self.base()}/vle/", pk, action)

    def course(self, pk=None) -> str:
        return self._item(f"{self.base()}/course/", pk)

    def group_course(self, group, pk=None) -> str:
        return self._item(f"{self.base()}/group/{group}/course/", pk)

    def instrument(self, pk=None) -> str:
        return self._item(f"{self.base()}/instrument/", pk)

    def instructor(self, course, pk=None) -> str:
        return self._item(f"{self.base()}/course/{course}/instructor/", pk)

    def learner(self, course, pk=None) -> str:
        return self._item(f"{self.base()}/course/{course}/learner/", pk)

    def activity(self, course, pk=None) -> str:
        return self._item(f"{self.base()}/course/{course}/activity/", pk)

    def activity_instrument(self, course, activity, pk=None) -> str:
        return self._item(f"{self.base()}/course/{course}/activity/{activity}/instrument/", pk)

    def user_activities(self, user) -> str:
        return f"{self.base()}/user/{user}/activities/"

    @staticmethod
    def _item(base: str, pk=None, action=None) -> str:
        url = base if pk is None else f"{base}{pk}/"
        return url if action is None else f"{url}{action}/"


@pytest.fixture
def urls(institution):
    return Urls(institution.pk)


ADMIN_INSTRUMENTS = "/api/v2/admin/instrument/"
