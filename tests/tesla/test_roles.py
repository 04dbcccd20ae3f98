"""The caller's roles: what a URL parent grants is asked only when the caller's own roles do
not answer, and once; "staff see all, others see their own" narrows by the declared field."""

import pytest

from institution.models import InstitutionUser
from tesla.permissions import ADMIN, COURSE_LEARNER, MEMBER, CallerRoles, narrowed_to_own


class CountingGrant:
    """A parent's grant that counts how often it is asked (a course-role query each time)."""

    def __init__(self, roles: set[str]):
        self.roles = roles
        self.asked = 0

    def __call__(self, request, obj, parents) -> set[str]:
        self.asked += 1
        return set(self.roles)


def test_a_grant_is_not_asked_when_the_caller_s_own_roles_answer():
    grant = CountingGrant({COURSE_LEARNER})
    roles = CallerRoles(None, {ADMIN, MEMBER})
    roles.grant_later(grant, object(), {})
    assert roles.holds_any({ADMIN, COURSE_LEARNER})
    assert grant.asked == 0


def test_a_grant_is_asked_once_when_needed():
    grant = CountingGrant({COURSE_LEARNER})
    roles = CallerRoles(None, {MEMBER})
    roles.grant_later(grant, object(), {})
    assert roles.holds_any({COURSE_LEARNER})
    assert not roles.holds_any({ADMIN})
    assert roles.all() == {MEMBER, COURSE_LEARNER}
    assert grant.asked == 1


def test_without_the_role_the_grant_does_not_help():
    roles = CallerRoles(None, {MEMBER})
    roles.grant_later(CountingGrant(set()), object(), {})
    assert not roles.holds_any({COURSE_LEARNER})


@pytest.mark.django_db
def test_callers_without_the_all_seeing_role_see_their_own_rows(institution, member, inst_admin):
    rows = InstitutionUser.objects.filter(institution=institution)
    own = member.institution_user.pk

    def seen(held, narrows=None):
        narrowed = narrowed_to_own(
            rows,
            roles=CallerRoles(None, held),
            field="pk",
            sees_all={ADMIN},
            person_pk=own,
            narrows=narrows,
        )
        return set(narrowed.values_list("pk", flat=True))

    everyone = set(rows.values_list("pk", flat=True))
    assert len(everyone) == 2
    assert seen({ADMIN}) == everyone
    assert seen({MEMBER}) == {own}
    # A parent narrows only the callers holding `narrows`; the rest meet the role check.
    assert seen({MEMBER}, narrows={COURSE_LEARNER}) == everyone
    assert seen({MEMBER, COURSE_LEARNER}, narrows={COURSE_LEARNER}) == {own}
