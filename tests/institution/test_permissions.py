"""Permission matrix of the institution API and of the global-admin API: every endpoint and
method against every persona, ours and foreign.

Each case names the personas allowed and the success status; everyone else follows the rule
of `tests.matrix` (401 anonymous, 404 a user of another institution under ours, 403 modules
and users lacking the role). Cases with a `prepare` step create what the request needs."""

import pytest

from tests.conftest import PERSONAS
from tests.matrix import GLOBAL, INSTITUTION, MEMBERS, Case, Fixtures, check, kw, params

GA = {"global_admin"}
USER_ADMINS = GA | {"inst_admin", "legal_admin", "data_admin"}
LEARNER_READERS = GA | {"inst_admin", "legal_admin", "data_admin", "send_admin"}
SEND_STAFF = GA | {"inst_admin", "send_admin"}
IC_READERS = GA | MEMBERS | {"learner_token"}
IC_WRITERS = GA | {"inst_admin", "legal_admin"}
NOT_USERS = {"anonymous", "vle", "other_vle", "foreign_vle", "provider"}

I = "institution.pk"  # noqa: E741
OURS = kw(institution_pk=I)


def own_user_pk(world):
    """The caller's own user id (an unknown id for callers who are no user)."""
    if world.persona in NOT_USERS:
        return 999999
    return getattr(world, world.persona).pk


def accept_consent(world):
    learner = world.learner.institution_user.learner
    learner.consent = world.consent
    learner.save()


def inst(name, method, url_name, allowed, ok=200, **values):
    """A case under our institution."""
    return Case(name, method, url_name, INSTITUTION, allowed, ok, **values)


def admin(name, method, url_name, ok=200, **values):
    """A case of the global-admin API: no institution parent, so foreign users get 403."""
    return Case(name, method, url_name, GLOBAL, GA, ok, **values)


GROUP = kw(institution_pk=I, pk="group.pk")
IC = kw(institution_pk=I, pk="consent.pk")
DOCUMENTS = kw(institution_pk=I, ic_pk="consent.pk")
DOCUMENT = kw(institution_pk=I, ic_pk="document.consent_id", language="document.language")
UI = kw(institution_pk=I, pk="ui_option.pk")
OTHER_MEMBER = kw(institution_pk=I, pk="other_member.pk")
SELF = kw(institution_pk=I, pk=own_user_pk)
OTHER_INSTRUCTOR = kw(institution_pk=I, pk="other_instructor.pk")
OTHER_LEARNER = kw(institution_pk=I, pk="other_learner.pk")
LEARNER = kw(institution_pk=I, pk="learner.pk")
SEND = kw(institution_pk=I, pk="send_category.pk")
LEARNER_SENDS = kw(institution_pk=I, learner_pk="other_learner.pk")
LEARNER_SEND = kw(institution_pk=I, learner_pk="other_learner.pk", pk="send_assignment.pk")

CASES = [
    # §1 institution
    inst(
        "institution list",
        "get",
        "institution-list",
        IC_READERS,
        overrides={"foreign_admin": 200},
    ),
    inst("institution read", "get", "institution-detail", IC_READERS, kwargs=kw(pk=I)),
    inst(
        "institution patch",
        "patch",
        "institution-detail",
        GA | {"inst_admin"},
        kwargs=kw(pk=I),
        body=lambda w: {"external_ic": True},
    ),
    inst(
        "institution put",
        "put",
        "institution-detail",
        GA | {"inst_admin"},
        kwargs=kw(pk=I),
        body=lambda w: {"mail_domain": "uni.edu", "allowed_domains": "*.uni.edu"},
    ),
    # the institution endpoint has no DELETE: 405 for any user, before tenancy is looked at
    inst(
        "institution delete",
        "delete",
        "institution-detail",
        GA | MEMBERS,
        405,
        kwargs=kw(pk=I),
        overrides={"foreign_admin": 405, "learner_token": 405},
    ),
    # §4 groups
    inst("group list", "get", "institution-group-list", GA | MEMBERS, kwargs=OURS),
    inst(
        "group create",
        "post",
        "institution-group-list",
        GA | {"inst_admin"},
        201,
        kwargs=OURS,
        body=lambda w: {"name": "G"},
    ),
    inst("group read", "get", "institution-group-detail", GA | MEMBERS, kwargs=GROUP),
    inst(
        "group put",
        "put",
        "institution-group-detail",
        GA | {"inst_admin"},
        kwargs=GROUP,
        body=lambda w: {"name": "H"},
    ),
    inst(
        "group patch",
        "patch",
        "institution-group-detail",
        GA | {"inst_admin"},
        kwargs=GROUP,
        body=lambda w: {"name": "H"},
    ),
    inst(
        "group delete", "delete", "institution-group-detail", GA | {"inst_admin"}, 204, kwargs=GROUP
    ),
    # §6 informed consent
    inst("ic list", "get", "institution-ic-list", IC_READERS, kwargs=OURS),
    inst(
        "ic create",
        "post",
        "institution-ic-list",
        IC_WRITERS,
        201,
        kwargs=OURS,
        body=lambda w: {"version": "2.0.0", "valid_from": "2030-01-01T00:00:00Z"},
    ),
    inst(
        "ic current",
        "get",
        "institution-ic-current",
        IC_READERS,
        kwargs=OURS,
        prepare=lambda w: w.consent,
    ),
    inst("ic read", "get", "institution-ic-detail", IC_READERS, kwargs=IC),
    inst(
        "ic put",
        "put",
        "institution-ic-detail",
        IC_WRITERS,
        kwargs=IC,
        body=lambda w: {"version": "1.0.1", "valid_from": "2030-01-01T00:00:00Z"},
    ),
    inst(
        "ic patch",
        "patch",
        "institution-ic-detail",
        IC_WRITERS,
        kwargs=IC,
        body=lambda w: {"version": "1.0.1"},
    ),
    inst("ic delete", "delete", "institution-ic-detail", IC_WRITERS, 204, kwargs=IC),
    # §7 informed consent documents
    inst("document list", "get", "institution-ic-document-list", IC_READERS, kwargs=DOCUMENTS),
    inst(
        "document create",
        "post",
        "institution-ic-document-list",
        IC_WRITERS,
        201,
        kwargs=DOCUMENTS,
        body=lambda w: {"language": "ca", "html": "<p>hola</p>"},
    ),
    inst("document read", "get", "institution-ic-document-detail", IC_READERS, kwargs=DOCUMENT),
    inst(
        "document put",
        "put",
        "institution-ic-document-detail",
        IC_WRITERS,
        kwargs=DOCUMENT,
        body=lambda w: {"language": "en", "html": "<p>new</p>"},
    ),
    inst(
        "document patch",
        "patch",
        "institution-ic-document-detail",
        IC_WRITERS,
        kwargs=DOCUMENT,
        body=lambda w: {"html": "<p>new</p>"},
    ),
    inst(
        "document delete",
        "delete",
        "institution-ic-document-detail",
        IC_WRITERS,
        204,
        kwargs=DOCUMENT,
    ),
    # §9 UI options
    inst("ui list", "get", "institution-ui-list", GA | {"inst_admin"}, kwargs=OURS),
    inst(
        "ui create",
        "post",
        "institution-ui-list",
        GA | {"inst_admin"},
        201,
        kwargs=OURS,
        body=lambda w: {"route": "course"},
    ),
    inst("ui read", "get", "institution-ui-detail", GA | {"inst_admin"}, kwargs=UI),
    inst(
        "ui put",
        "put",
        "institution-ui-detail",
        GA | {"inst_admin"},
        kwargs=UI,
        body=lambda w: {"route": "administration", "enabled": True},
    ),
    inst(
        "ui patch",
        "patch",
        "institution-ui-detail",
        GA | {"inst_admin"},
        kwargs=UI,
        body=lambda w: {"enabled": True},
    ),
    inst("ui delete", "delete", "institution-ui-detail", GA | {"inst_admin"}, 204, kwargs=UI),
    # §10 users: members without an admin role only see their own row (others are 404)
    inst("user list", "get", "institution-user-list", GA | MEMBERS, kwargs=OURS),
    inst(
        "user create",
        "post",
        "institution-user-list",
        GA | {"inst_admin", "data_admin"},
        201,
        kwargs=OURS,
        body=lambda w: {"username": "new", "uid": "new", "email": "new@example.org"},
    ),
    inst(
        "user read other",
        "get",
        "institution-user-detail",
        USER_ADMINS,
        kwargs=OTHER_MEMBER,
        overrides={m: 404 for m in MEMBERS - USER_ADMINS},
    ),
    inst(
        "user read self",
        "get",
        "institution-user-detail",
        GA | MEMBERS,
        kwargs=SELF,
        overrides={"global_admin": 404},
    ),
    inst(
        "user put",
        "put",
        "institution-user-detail",
        GA | {"inst_admin", "data_admin"},
        kwargs=OTHER_MEMBER,
        body=lambda w: {
            "username": w.other_member.user.username,
            "uid": w.other_member.uid,
            "email": w.other_member.user.email,
            "first_name": "Ann",
        },
    ),
    inst(
        "user patch",
        "patch",
        "institution-user-detail",
        GA | {"inst_admin", "data_admin"},
        kwargs=OTHER_MEMBER,
        body=lambda w: {"first_name": "Ann"},
    ),
    inst(
        "user delete",
        "delete",
        "institution-user-detail",
        GA | {"inst_admin", "data_admin"},
        204,
        kwargs=OTHER_MEMBER,
    ),
    inst(
        "user profile self",
        "post",
        "institution-user-profile",
        MEMBERS,
        kwargs=SELF,
        body=lambda w: {"locale": "ca"},
    ),
    inst(
        "user profile other",
        "post",
        "institution-user-profile",
        set(),
        kwargs=OTHER_MEMBER,
        body=lambda w: {"locale": "ca"},
    ),
    # §11 instructors
    inst("instructor list", "get", "institution-instructor-list", USER_ADMINS, kwargs=OURS),
    inst(
        "instructor create",
        "post",
        "institution-instructor-list",
        GA | {"inst_admin"},
        201,
        kwargs=OURS,
        body=lambda w: {"uid": "t1", "email": "t1@example.org"},
    ),
    inst(
        "instructor read",
        "get",
        "institution-instructor-detail",
        USER_ADMINS,
        kwargs=OTHER_INSTRUCTOR,
    ),
    inst(
        "instructor put",
        "put",
        "institution-instructor-detail",
        GA | {"inst_admin"},
        kwargs=OTHER_INSTRUCTOR,
        body=lambda w: {
            "uid": w.other_instructor.institution_user.uid,
            "email": w.other_instructor.institution_user.user.email,
            "first_name": "T",
        },
    ),
    inst(
        "instructor patch",
        "patch",
        "institution-instructor-detail",
        GA | {"inst_admin"},
        kwargs=OTHER_INSTRUCTOR,
        body=lambda w: {"first_name": "T"},
    ),
    inst(
        "instructor delete",
        "delete",
        "institution-instructor-detail",
        GA | {"inst_admin"},
        204,
        kwargs=OTHER_INSTRUCTOR,
    ),
    # §12 learners
    inst("learner list", "get", "institution-learner-list", LEARNER_READERS, kwargs=OURS),
    inst(
        "learner create",
        "post",
        "institution-learner-list",
        GA | {"inst_admin"},
        201,
        kwargs=OURS,
        body=lambda w: {"uid": "l1", "email": "l1@example.org"},
    ),
    inst(
        "learner read other",
        "get",
        "institution-learner-detail",
        LEARNER_READERS,
        kwargs=OTHER_LEARNER,
    ),
    inst(
        "learner read self",
        "get",
        "institution-learner-detail",
        LEARNER_READERS | {"learner", "learner_token"},
        kwargs=LEARNER,
    ),
    inst(
        "learner put",
        "put",
        "institution-learner-detail",
        GA | {"inst_admin"},
        kwargs=OTHER_LEARNER,
        body=lambda w: {
            "uid": w.other_learner.institution_user.uid,
            "email": w.other_learner.institution_user.user.email,
            "first_name": "L",
        },
    ),
    inst(
        "learner patch",
        "patch",
        "institution-learner-detail",
        GA | {"inst_admin"},
        kwargs=OTHER_LEARNER,
        body=lambda w: {"first_name": "L"},
    ),
    inst(
        "learner delete",
        "delete",
        "institution-learner-detail",
        GA | {"inst_admin"},
        204,
        kwargs=OTHER_LEARNER,
    ),
    inst(
        "learner accept ic",
        "post",
        "institution-learner-ic",
        {"learner", "learner_token"},
        kwargs=LEARNER,
        body=lambda w: {"version": w.consent.version},
    ),
    inst(
        "learner reject ic",
        "delete",
        "institution-learner-ic",
        {"learner", "learner_token"},
        kwargs=LEARNER,
        prepare=accept_consent,
    ),
    inst(
        "learner accept ic of other",
        "post",
        "institution-learner-ic",
        set(),
        kwargs=OTHER_LEARNER,
        body=lambda w: {"version": w.consent.version},
    ),
    # §13 SEND categories
    inst("send list", "get", "institution-send-list", SEND_STAFF, kwargs=OURS),
    inst(
        "send create",
        "post",
        "institution-send-list",
        SEND_STAFF,
        201,
        kwargs=OURS,
        body=lambda w: {"description": "Dyslexia", "data": {"enabled_options": ["text_to_speech"]}},
    ),
    inst("send read", "get", "institution-send-detail", SEND_STAFF, kwargs=SEND),
    inst(
        "send put",
        "put",
        "institution-send-detail",
        SEND_STAFF,
        kwargs=SEND,
        body=lambda w: {"description": "Blind", "data": {"enabled_options": ["big_fonts"]}},
    ),
    inst(
        "send patch",
        "patch",
        "institution-send-detail",
        SEND_STAFF,
        kwargs=SEND,
        body=lambda w: {"description": "Blind"},
    ),
    inst("send delete", "delete", "institution-send-detail", SEND_STAFF, 204, kwargs=SEND),
    # §14 learner SEND assignments
    inst(
        "learner send list",
        "get",
        "institution-learner-send-list",
        SEND_STAFF,
        kwargs=LEARNER_SENDS,
    ),
    inst(
        "learner send create",
        "post",
        "institution-learner-send-list",
        SEND_STAFF,
        201,
        kwargs=LEARNER_SENDS,
        body=lambda w: {"category": w.send_category.pk},
    ),
    inst(
        "learner send read",
        "get",
        "institution-learner-send-detail",
        SEND_STAFF,
        kwargs=LEARNER_SEND,
    ),
    inst(
        "learner send put",
        "put",
        "institution-learner-send-detail",
        SEND_STAFF,
        kwargs=LEARNER_SEND,
        body=lambda w: {"category": w.send_category.pk, "expires_at": "2031-01-01T00:00:00Z"},
    ),
    inst(
        "learner send patch",
        "patch",
        "institution-learner-send-detail",
        SEND_STAFF,
        kwargs=LEARNER_SEND,
        body=lambda w: {"expires_at": "2031-01-01T00:00:00Z"},
    ),
    inst(
        "learner send delete",
        "delete",
        "institution-learner-send-detail",
        SEND_STAFF,
        204,
        kwargs=LEARNER_SEND,
    ),
    # global admin API: nobody else, and no institution parent (so foreign users get 403)
    admin("admin institution list", "get", "admin-institution-list"),
    admin(
        "admin institution create",
        "post",
        "admin-institution-list",
        201,
        body=lambda w: {"acronym": "NEW", "name": "New"},
    ),
    admin("admin institution read", "get", "admin-institution-detail", kwargs=kw(pk=I)),
    admin(
        "admin institution put",
        "put",
        "admin-institution-detail",
        kwargs=kw(pk=I),
        body=lambda w: {"acronym": w.institution.acronym, "name": "Renamed"},
    ),
    admin(
        "admin institution patch",
        "patch",
        "admin-institution-detail",
        kwargs=kw(pk=I),
        body=lambda w: {"name": "Renamed"},
    ),
    admin(
        "admin institution delete",
        "delete",
        "admin-institution-detail",
        204,
        kwargs=kw(pk="other_institution.pk"),
    ),
    admin("admin user list", "get", "admin-user-list"),
    admin(
        "admin user create",
        "post",
        "admin-user-list",
        201,
        body=lambda w: {
            "username": "root2",
            "password": "Str0ng-pass!x",
            "password2": "Str0ng-pass!x",
        },
    ),
    admin("admin user read", "get", "admin-user-detail", kwargs=kw(pk="other_member.pk")),
    admin(
        "admin user put",
        "put",
        "admin-user-detail",
        kwargs=kw(pk="other_member.pk"),
        body=lambda w: {"username": w.other_member.user.username, "first_name": "X"},
    ),
    admin(
        "admin user patch",
        "patch",
        "admin-user-detail",
        kwargs=kw(pk="other_member.pk"),
        body=lambda w: {"first_name": "X"},
    ),
    admin("admin user delete", "delete", "admin-user-detail", 204, kwargs=kw(pk="other_member.pk")),
    admin("admin ui list", "get", "admin-ui-list"),
    admin(
        "admin ui create",
        "post",
        "admin-ui-list",
        201,
        body=lambda w: {"route": "statistics", "roles": "admin"},
    ),
    admin("admin ui read", "get", "admin-ui-detail", kwargs=kw(pk="global_route.pk")),
    admin(
        "admin ui put",
        "put",
        "admin-ui-detail",
        kwargs=kw(pk="global_route.pk"),
        body=lambda w: {"route": w.global_route.route, "enabled": False},
    ),
    admin(
        "admin ui patch",
        "patch",
        "admin-ui-detail",
        kwargs=kw(pk="global_route.pk"),
        body=lambda w: {"enabled": False},
    ),
    admin("admin ui delete", "delete", "admin-ui-detail", 204, kwargs=kw(pk="global_route.pk")),
]


@pytest.mark.parametrize(("case", "persona"), params(CASES, PERSONAS))
def test_permission_matrix(request, api, case, persona):
    world = Fixtures(request)
    world.persona = persona
    check(case, persona, api(persona), world)
