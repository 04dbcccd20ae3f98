"""Permission matrix of the institution API and of the global-admin API: every endpoint and
method against every persona, ours and foreign.

Each row names the personas allowed and the success status; everyone else gets 401
(anonymous), 403 (modules, or users lacking the role) or 404 (a user of another institution,
for anything under ours). Rows with a `prepare` step create what the request needs."""

import pytest

from tests.conftest import PERSONAS

MODULES = {"vle", "other_vle", "foreign_vle", "provider"}
GA = {"global_admin"}
MEMBERS = {
    "inst_admin",
    "legal_admin",
    "send_admin",
    "data_admin",
    "instructor",
    "learner",
    "member",
}
USER_ADMINS = GA | {"inst_admin", "legal_admin", "data_admin"}
LEARNER_READERS = GA | {"inst_admin", "legal_admin", "data_admin", "send_admin"}
SEND_STAFF = GA | {"inst_admin", "send_admin"}
IC_READERS = GA | MEMBERS | {"learner_token"}
IC_WRITERS = GA | {"inst_admin", "legal_admin"}


def _user_pk(ctx, persona):
    if persona in {"anonymous", *MODULES}:
        return 999999
    value = ctx.fixture(persona)
    return value.pk


class Ctx:
    """Lazy access to fixtures from inside the matrix rows."""

    def __init__(self, request):
        self.request = request

    def fixture(self, name):
        return self.request.getfixturevalue(name)

    def base(self, tail=""):
        return self.fixture("base")(tail)


# (name, method, url(ctx, persona), body(ctx), allowed personas, success, overrides)
ROWS = [
    # §1 institution
    (
        "institution list",
        "get",
        lambda c, p: "/api/v2/institution/",
        None,
        IC_READERS,
        200,
        {"foreign_admin": 200},
    ),
    ("institution read", "get", lambda c, p: c.base(), None, IC_READERS, 200, {}),
    (
        "institution patch",
        "patch",
        lambda c, p: c.base(),
        lambda c: {"external_ic": True},
        GA | {"inst_admin"},
        200,
        {},
    ),
    (
        "institution put",
        "put",
        lambda c, p: c.base(),
        lambda c: {"mail_domain": "uni.edu", "allowed_domains": "*.uni.edu"},
        GA | {"inst_admin"},
        200,
        {},
    ),
    # the institution endpoint has no DELETE: 405 for any user, before tenancy is looked at
    (
        "institution delete",
        "delete",
        lambda c, p: c.base(),
        None,
        GA | MEMBERS,
        405,
        {"foreign_admin": 405, "learner_token": 405},
    ),
    # §4 groups
    ("group list", "get", lambda c, p: c.base("group/"), None, GA | MEMBERS, 200, {}),
    (
        "group create",
        "post",
        lambda c, p: c.base("group/"),
        lambda c: {"name": "G"},
        GA | {"inst_admin"},
        201,
        {},
    ),
    (
        "group read",
        "get",
        lambda c, p: c.base(f"group/{c.fixture('group').pk}/"),
        None,
        GA | MEMBERS,
        200,
        {},
    ),
    (
        "group patch",
        "patch",
        lambda c, p: c.base(f"group/{c.fixture('group').pk}/"),
        lambda c: {"name": "H"},
        GA | {"inst_admin"},
        200,
        {},
    ),
    (
        "group delete",
        "delete",
        lambda c, p: c.base(f"group/{c.fixture('group').pk}/"),
        None,
        GA | {"inst_admin"},
        204,
        {},
    ),
    # §6 informed consent
    ("ic list", "get", lambda c, p: c.base("ic/"), None, IC_READERS, 200, {}),
    (
        "ic create",
        "post",
        lambda c, p: c.base("ic/"),
        lambda c: {"version": "2.0.0", "valid_from": "2030-01-01T00:00:00Z"},
        IC_WRITERS,
        201,
        {},
    ),
    (
        "ic current",
        "get",
        lambda c, p: (c.fixture("consent"), c.base("ic/current/"))[1],
        None,
        IC_READERS,
        200,
        {},
    ),
    (
        "ic read",
        "get",
        lambda c, p: c.base(f"ic/{c.fixture('consent').pk}/"),
        None,
        IC_READERS,
        200,
        {},
    ),
    (
        "ic patch",
        "patch",
        lambda c, p: c.base(f"ic/{c.fixture('consent').pk}/"),
        lambda c: {"version": "1.0.1"},
        IC_WRITERS,
        200,
        {},
    ),
    (
        "ic delete",
        "delete",
        lambda c, p: c.base(f"ic/{c.fixture('consent').pk}/"),
        None,
        IC_WRITERS,
        204,
        {},
    ),
    # §7 informed consent documents
    (
        "document list",
        "get",
        lambda c, p: c.base(f"ic/{c.fixture('consent').pk}/document/"),
        None,
        IC_READERS,
        200,
        {},
    ),
    (
        "document create",
        "post",
        lambda c, p: c.base(f"ic/{c.fixture('consent').pk}/document/"),
        lambda c: {"language": "ca", "html": "<p>hola</p>"},
        IC_WRITERS,
        201,
        {},
    ),
    (
        "document read",
        "get",
        lambda c, p: c.base(f"ic/{c.fixture('document').consent_id}/document/en/"),
        None,
        IC_READERS,
        200,
        {},
    ),
    (
        "document patch",
        "patch",
        lambda c, p: c.base(f"ic/{c.fixture('document').consent_id}/document/en/"),
        lambda c: {"html": "<p>new</p>"},
        IC_WRITERS,
        200,
        {},
    ),
    (
        "document delete",
        "delete",
        lambda c, p: c.base(f"ic/{c.fixture('document').consent_id}/document/en/"),
        None,
        IC_WRITERS,
        204,
        {},
    ),
    # §9 UI options
    ("ui list", "get", lambda c, p: c.base("ui/"), None, GA | {"inst_admin"}, 200, {}),
    (
        "ui create",
        "post",
        lambda c, p: c.base("ui/"),
        lambda c: {"route": "course"},
        GA | {"inst_admin"},
        201,
        {},
    ),
    (
        "ui read",
        "get",
        lambda c, p: c.base(f"ui/{c.fixture('ui_option').pk}/"),
        None,
        GA | {"inst_admin"},
        200,
        {},
    ),
    (
        "ui patch",
        "patch",
        lambda c, p: c.base(f"ui/{c.fixture('ui_option').pk}/"),
        lambda c: {"enabled": True},
        GA | {"inst_admin"},
        200,
        {},
    ),
    (
        "ui delete",
        "delete",
        lambda c, p: c.base(f"ui/{c.fixture('ui_option').pk}/"),
        None,
        GA | {"inst_admin"},
        204,
        {},
    ),
    # §10 users: members without an admin role only see their own row (others are 404)
    ("user list", "get", lambda c, p: c.base("user/"), None, GA | MEMBERS, 200, {}),
    (
        "user create",
        "post",
        lambda c, p: c.base("user/"),
        lambda c: {"username": "new", "uid": "new", "email": "new@example.org"},
        GA | {"inst_admin", "data_admin"},
        201,
        {},
    ),
    (
        "user read other",
        "get",
        lambda c, p: c.base(f"user/{c.fixture('other_member').pk}/"),
        None,
        USER_ADMINS,
        200,
        {m: 404 for m in MEMBERS - USER_ADMINS},
    ),
    (
        "user read self",
        "get",
        lambda c, p: c.base(f"user/{_user_pk(c, p)}/"),
        None,
        GA | MEMBERS,
        200,
        {"global_admin": 404},
    ),
    (
        "user patch",
        "patch",
        lambda c, p: c.base(f"user/{c.fixture('other_member').pk}/"),
        lambda c: {"first_name": "Ann"},
        GA | {"inst_admin", "data_admin"},
        200,
        {},
    ),
    (
        "user delete",
        "delete",
        lambda c, p: c.base(f"user/{c.fixture('other_member').pk}/"),
        None,
        GA | {"inst_admin", "data_admin"},
        204,
        {},
    ),
    (
        "user profile self",
        "post",
        lambda c, p: c.base(f"user/{_user_pk(c, p)}/profile/"),
        lambda c: {"locale": "ca"},
        MEMBERS,
        200,
        {},
    ),
    (
        "user profile other",
        "post",
        lambda c, p: c.base(f"user/{c.fixture('other_member').pk}/profile/"),
        lambda c: {"locale": "ca"},
        set(),
        403,
        {},
    ),
    # §11 instructors
    ("instructor list", "get", lambda c, p: c.base("instructor/"), None, USER_ADMINS, 200, {}),
    (
        "instructor create",
        "post",
        lambda c, p: c.base("instructor/"),
        lambda c: {"uid": "t1", "email": "t1@example.org"},
        GA | {"inst_admin"},
        201,
        {},
    ),
    (
        "instructor read",
        "get",
        lambda c, p: c.base(f"instructor/{c.fixture('other_instructor').pk}/"),
        None,
        USER_ADMINS,
        200,
        {},
    ),
    (
        "instructor patch",
        "patch",
        lambda c, p: c.base(f"instructor/{c.fixture('other_instructor').pk}/"),
        lambda c: {"first_name": "T"},
        GA | {"inst_admin"},
        200,
        {},
    ),
    (
        "instructor delete",
        "delete",
        lambda c, p: c.base(f"instructor/{c.fixture('other_instructor').pk}/"),
        None,
        GA | {"inst_admin"},
        204,
        {},
    ),
    # §12 learners
    ("learner list", "get", lambda c, p: c.base("learner/"), None, LEARNER_READERS, 200, {}),
    (
        "learner create",
        "post",
        lambda c, p: c.base("learner/"),
        lambda c: {"uid": "l1", "email": "l1@example.org"},
        GA | {"inst_admin"},
        201,
        {},
    ),
    (
        "learner read other",
        "get",
        lambda c, p: c.base(f"learner/{c.fixture('other_learner').pk}/"),
        None,
        LEARNER_READERS,
        200,
        {},
    ),
    (
        "learner read self",
        "get",
        lambda c, p: c.base(f"learner/{c.fixture('learner').pk}/"),
        None,
        LEARNER_READERS | {"learner", "learner_token"},
        200,
        {},
    ),
    (
        "learner patch",
        "patch",
        lambda c, p: c.base(f"learner/{c.fixture('other_learner').pk}/"),
        lambda c: {"first_name": "L"},
        GA | {"inst_admin"},
        200,
        {},
    ),
    (
        "learner delete",
        "delete",
        lambda c, p: c.base(f"learner/{c.fixture('other_learner').pk}/"),
        None,
        GA | {"inst_admin"},
        204,
        {},
    ),
    (
        "learner accept ic",
        "post",
        lambda c, p: c.base(f"learner/{c.fixture('learner').pk}/ic/"),
        lambda c: {"version": c.fixture("consent").version},
        {"learner", "learner_token"},
        200,
        {},
    ),
    (
        "learner reject ic",
        "delete",
        lambda c, p: (c.accept(), c.base(f"learner/{c.fixture('learner').pk}/ic/"))[1],
        None,
        {"learner", "learner_token"},
        200,
        {},
    ),
    (
        "learner accept ic of other",
        "post",
        lambda c, p: c.base(f"learner/{c.fixture('other_learner').pk}/ic/"),
        lambda c: {"version": c.fixture("consent").version},
        set(),
        403,
        {},
    ),
    # §13 SEND categories
    ("send list", "get", lambda c, p: c.base("send/"), None, SEND_STAFF, 200, {}),
    (
        "send create",
        "post",
        lambda c, p: c.base("send/"),
        lambda c: {"description": "Dyslexia", "data": {"enabled_options": ["text_to_speech"]}},
        SEND_STAFF,
        201,
        {},
    ),
    (
        "send read",
        "get",
        lambda c, p: c.base(f"send/{c.fixture('send_category').pk}/"),
        None,
        SEND_STAFF,
        200,
        {},
    ),
    (
        "send patch",
        "patch",
        lambda c, p: c.base(f"send/{c.fixture('send_category').pk}/"),
        lambda c: {"description": "Blind"},
        SEND_STAFF,
        200,
        {},
    ),
    (
        "send delete",
        "delete",
        lambda c, p: c.base(f"send/{c.fixture('send_category').pk}/"),
        None,
        SEND_STAFF,
        204,
        {},
    ),
    # §14 learner SEND assignments
    (
        "learner send list",
        "get",
        lambda c, p: c.base(f"learner/{c.fixture('other_learner').pk}/send/"),
        None,
        SEND_STAFF,
        200,
        {},
    ),
    (
        "learner send create",
        "post",
        lambda c, p: c.base(f"learner/{c.fixture('other_learner').pk}/send/"),
        lambda c: {"category": c.fixture("send_category").pk},
        SEND_STAFF,
        201,
        {},
    ),
    (
        "learner send read",
        "get",
        lambda c, p: c.base(
            f"learner/{c.fixture('other_learner').pk}/send/{c.fixture('send_assignment').pk}/"
        ),
        None,
        SEND_STAFF,
        200,
        {},
    ),
    (
        "learner send patch",
        "patch",
        lambda c, p: c.base(
            f"learner/{c.fixture('other_learner').pk}/send/{c.fixture('send_assignment').pk}/"
        ),
        lambda c: {"expires_at": "2031-01-01T00:00:00Z"},
        SEND_STAFF,
        200,
        {},
    ),
    (
        "learner send delete",
        "delete",
        lambda c, p: c.base(
            f"learner/{c.fixture('other_learner').pk}/send/{c.fixture('send_assignment').pk}/"
        ),
        None,
        SEND_STAFF,
        204,
        {},
    ),
    # global admin API: nobody else, and no institution parent (so foreign users get 403)
    (
        "admin institution list",
        "get",
        lambda c, p: "/api/v2/admin/institution/",
        None,
        GA,
        200,
        {"foreign_admin": 403},
    ),
    (
        "admin institution create",
        "post",
        lambda c, p: "/api/v2/admin/institution/",
        lambda c: {"acronym": "NEW", "name": "New"},
        GA,
        201,
        {"foreign_admin": 403},
    ),
    (
        "admin institution patch",
        "patch",
        lambda c, p: f"/api/v2/admin/institution/{c.fixture('institution').pk}/",
        lambda c: {"name": "Renamed"},
        GA,
        200,
        {"foreign_admin": 403},
    ),
    (
        "admin institution delete",
        "delete",
        lambda c, p: f"/api/v2/admin/institution/{c.fixture('other_institution').pk}/",
        None,
        GA,
        204,
        {"foreign_admin": 403},
    ),
    (
        "admin user list",
        "get",
        lambda c, p: "/api/v2/admin/user/",
        None,
        GA,
        200,
        {"foreign_admin": 403},
    ),
    (
        "admin user create",
        "post",
        lambda c, p: "/api/v2/admin/user/",
        lambda c: {"username": "root2", "password": "Str0ng-pass!x", "password2": "Str0ng-pass!x"},
        GA,
        201,
        {"foreign_admin": 403},
    ),
    (
        "admin user patch",
        "patch",
        lambda c, p: f"/api/v2/admin/user/{c.fixture('other_member').pk}/",
        lambda c: {"first_name": "X"},
        GA,
        200,
        {"foreign_admin": 403},
    ),
    (
        "admin user delete",
        "delete",
        lambda c, p: f"/api/v2/admin/user/{c.fixture('other_member').pk}/",
        None,
        GA,
        204,
        {"foreign_admin": 403},
    ),
    (
        "admin ui list",
        "get",
        lambda c, p: "/api/v2/admin/ui/",
        None,
        GA,
        200,
        {"foreign_admin": 403},
    ),
    (
        "admin ui create",
        "post",
        lambda c, p: "/api/v2/admin/ui/",
        lambda c: {"route": "statistics", "roles": "admin"},
        GA,
        201,
        {"foreign_admin": 403},
    ),
    (
        "admin ui patch",
        "patch",
        lambda c, p: f"/api/v2/admin/ui/{c.fixture('global_route').pk}/",
        lambda c: {"enabled": False},
        GA,
        200,
        {"foreign_admin": 403},
    ),
    (
        "admin ui delete",
        "delete",
        lambda c, p: f"/api/v2/admin/ui/{c.fixture('global_route').pk}/",
        None,
        GA,
        204,
        {"foreign_admin": 403},
    ),
]


def expected_status(persona, allowed, success, overrides):
    if persona == "anonymous":
        return 401
    if persona in overrides:
        return overrides[persona]
    if persona in MODULES:
        return 403
    if persona == "foreign_admin":
        return 404
    return success if persona in allowed else 403


CASES = [
    pytest.param(row, persona, id=f"{row[0]}-{persona}") for row in ROWS for persona in PERSONAS
]


@pytest.mark.parametrize(("row", "persona"), CASES)
def test_permission_matrix(request, api, row, persona):
    name, method, url, body, allowed, success, overrides = row
    ctx = Ctx(request)

    def accept():
        learner = ctx.fixture("learner").institution_user.learner
        learner.consent = ctx.fixture("consent")
        learner.save()

    ctx.accept = accept
    path = url(ctx, persona)
    data = body(ctx) if body else None
    client = api(persona)
    response = getattr(client, method)(path, data, format="json")
    want = expected_status(persona, allowed, success, overrides)
    assert response.status_code == want, (name, persona, response.content[:300])
