"""Every list costs the same number of queries for a page of 2 rows as for a page of 12."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institution.models import (
    CourseGroup,
    InformedConsentDocument,
    SENDCategory,
    SENDLearner,
    UIOption,
)
from tests import factories
from tests.institution.conftest import make_consent

BOUND = 14


def _learner_row(i, ctx):
    account = factories.user(ctx["institution"], learner=True)
    learner = account.institution_user.learner
    learner.consent = ctx["consent"]
    learner.save()
    SENDLearner.objects.create(learner=learner, category=ctx["category"])


def _ui_row(i, ctx):
    route = UIOption.objects.create(route=f"route-{ctx['seq']}-{i}")
    UIOption.objects.create(institution=ctx["institution"], route=route.route)


def _learner_send_row(i, ctx):
    category = SENDCategory.objects.create(institution=ctx["institution"], description=f"s{i}")
    SENDLearner.objects.create(learner=ctx["target"], category=category)


# One row of each list: row(i, ctx) for the i-th row of a batch.
ROWS = {
    "institution": lambda i, ctx: factories.institution(),
    "group": lambda i, ctx: CourseGroup.objects.create(
        institution=ctx["institution"], name=f"g{i}"
    ),
    "ic": lambda i, ctx: make_consent(ctx["institution"], f"{ctx['seq']}.{i}.0"),
    "document": lambda i, ctx: InformedConsentDocument.objects.create(
        consent=ctx["consent"], language=f"l{ctx['seq']}-{i}"
    ),
    "ui": _ui_row,
    "user": lambda i, ctx: factories.user(ctx["institution"], inst_admin=bool(i % 2)),
    "admin_user": lambda i, ctx: factories.user(ctx["institution"], inst_admin=bool(i % 2)),
    "instructor": lambda i, ctx: factories.user(ctx["institution"], instructor=True),
    "learner": _learner_row,
    "send": lambda i, ctx: SENDCategory.objects.create(
        institution=ctx["institution"], description=f"c{i}"
    ),
    "learner_send": _learner_send_row,
    "admin_institution": lambda i, ctx: factories.institution(),
    "admin_ui": lambda i, ctx: UIOption.objects.create(route=f"admin-route-{ctx['seq']}-{i}"),
}


def add_rows(kind, n, ctx):
    for i in range(n):
        ROWS[kind](i, ctx)
    ctx["seq"] += 1


LISTS = {
    "institution": ("global_admin", lambda c: "/api/v2/institution/"),
    "group": ("member", lambda c: c["base"]("group/")),
    "ic": ("member", lambda c: c["base"]("ic/")),
    "document": ("member", lambda c: c["base"](f"ic/{c['consent'].pk}/document/")),
    "ui": ("inst_admin", lambda c: c["base"]("ui/")),
    "user": ("inst_admin", lambda c: c["base"]("user/")),
    "instructor": ("inst_admin", lambda c: c["base"]("instructor/")),
    "learner": ("inst_admin", lambda c: c["base"]("learner/")),
    "send": ("send_admin", lambda c: c["base"]("send/")),
    "learner_send": ("send_admin", lambda c: c["base"](f"learner/{c['target'].pk}/send/")),
    "admin_institution": ("global_admin", lambda c: "/api/v2/admin/institution/"),
    "admin_user": ("global_admin", lambda c: "/api/v2/admin/user/"),
    "admin_ui": ("global_admin", lambda c: "/api/v2/admin/ui/"),
}


@pytest.mark.parametrize("kind", list(LISTS))
def test_list_query_count_is_fixed(
    api,
    base,
    institution,
    consent,
    send_category,
    other_learner,
    kind,
    django_assert_max_num_queries,
):
    persona, url = LISTS[kind]
    ctx = {
        "institution": institution,
        "consent": consent,
        "category": send_category,
        "target": other_learner,
        "base": base,
        "seq": 5,
    }
    client = api(persona)
    counts = []
    for n in (2, 10):
        add_rows(kind, n, ctx)
        path = url(ctx) + ("&" if "?" in url(ctx) else "?") + "limit=100"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts.append((response.json()["count"], len(queries)))
    (small_rows, small), (large_rows, large) = counts
    assert large_rows >= small_rows + 10
    assert large == small, counts
    with django_assert_max_num_queries(BOUND):
        client.get(url(ctx) + "?limit=100")


def test_learner_detail_query_count(api, base, other_learner, consent, send_assignment):
    client = api("inst_admin")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(base(f"learner/{other_learner.pk}/"))
    assert response.status_code == 200
    assert len(queries) <= BOUND
