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


def add_rows(kind, n, ctx):
    institution = ctx["institution"]
    for i in range(n):
        if kind == "institution":
            factories.institution()
        elif kind == "group":
            CourseGroup.objects.create(institution=institution, name=f"g{i}")
        elif kind == "ic":
            make_consent(institution, f"{ctx['seq']}.{i}.0")
        elif kind == "document":
            InformedConsentDocument.objects.create(
                consent=ctx["consent"], language=f"l{ctx['seq']}-{i}"
            )
        elif kind == "ui":
            route = UIOption.objects.create(route=f"route-{ctx['seq']}-{i}")
            UIOption.objects.create(institution=institution, route=route.route)
        elif kind in {"user", "admin_user"}:
            factories.user(institution, inst_admin=bool(i % 2))
        elif kind == "instructor":
            factories.user(institution, instructor=True)
        elif kind == "learner":
            account = factories.user(institution, learner=True)
            learner = account.institution_user.learner
            learner.consent = ctx["consent"]
            learner.save()
            SENDLearner.objects.create(learner=learner, category=ctx["category"])
        elif kind == "send":
            SENDCategory.objects.create(institution=institution, description=f"c{i}")
        elif kind == "learner_send":
            category = SENDCategory.objects.create(institution=institution, description=f"s{i}")
            SENDLearner.objects.create(learner=ctx["target"], category=category)
        elif kind == "admin_institution":
            factories.institution()
        elif kind == "admin_ui":
            UIOption.objects.create(route=f"admin-route-{ctx['seq']}-{i}")
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
