"""Queries per request on the paths the plugins and the dashboard hit, at two page sizes and
two tenant sizes: lists cost at most four queries (caller, page, related rows, count) whatever
their size, plugin lookups a fixed small number; reads open no transaction, writes one.

Counts leave out SAVEPOINT and RELEASE: inside the test's own transaction they stand for a
write's BEGIN and COMMIT, which are not queries of the endpoint's own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from institution.models import SENDLearner
from reports.models import ReportActivity, ReportActivityInstrument
from tests import factories
from vle.models import Activity, ActivityInstrument

LIST_QUERIES = 4
PAGE_SIZES = (5, 10)
TENANT_SIZES = (12, 30)
PLAGIARISM = 5  # an instrument of the catalogue the migrations load


def statements(queries) -> int:
    return sum(
        1 for query in queries if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    )


def queries_of(client, method: str, path: str, body=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, body, format="json")
    assert response.status_code < 300, response.content
    return statements(queries), response


def add_learners(institution, course, consent, category, n: int) -> list:
    learners = []
    for i in range(n):
        learner = factories.user(institution, learner=True).institution_user.learner
        learner.consent, learner.consent_accepted = consent, timezone.now()
        learner.save()
        course.learners.add(learner)
        if i % 2:
            SENDLearner.objects.create(learner=learner, category=category)
        learners.append(learner)
    return learners


def grow(kind: str, world: dict, n: int) -> None:
    """Bring the tenant's rows of `kind` up to n."""
    if kind in {"learner", "course_learner"}:
        have = world["course"].learners.count()
        add_learners(
            world["institution"], world["course"], world["consent"], world["category"], n - have
        )
    elif kind in {"course", "vle_course"}:
        for _ in range(n - world["vle"].courses.count()):
            factories.course(world["vle"])
    elif kind == "activity":
        for _ in range(n - world["course"].activities.count()):
            factories.activity(world["course"])
    elif kind == "report":
        activity = world["activity"]
        have = ReportActivity.objects.filter(activity=activity).count()
        for learner in add_learners(
            world["institution"], world["course"], world["consent"], world["category"], n - have
        ):
            report = ReportActivity.objects.create(activity=activity, learner=learner)
            ReportActivityInstrument.objects.create(report=report, instrument_id=1, result=50)
            ReportActivityInstrument.objects.create(report=report, instrument_id=2, result=70)


LISTS = {
    "learner": ("inst_admin", "/api/v2/institution/{i}/learner/"),
    "course": ("inst_admin", "/api/v2/institution/{i}/course/"),
    "report": ("inst_admin", "/api/v2/institution/{i}/course/{c}/activity/{a}/report/"),
    "vle_course": ("vle", "/api/v2/vle/{v}/course/"),
    "course_learner": ("vle", "/api/v2/vle/{v}/course/{c}/learner/"),
    "activity": ("vle", "/api/v2/vle/{v}/course/{c}/activity/"),
}


@pytest.fixture
def world(institution, vle, course, activity, consent, send_category):
    return {
        "institution": institution,
        "vle": vle,
        "course": course,
        "activity": activity,
        "consent": consent,
        "category": send_category,
    }


def url_of(template: str, world: dict) -> str:
    return template.format(
        i=world["institution"].pk, v=world["vle"].pk, c=world["course"].pk, a=world["activity"].pk
    )


@pytest.mark.parametrize("kind", list(LISTS))
def test_lists_cost_the_same_few_queries_at_every_size(api, world, kind):
    persona, template = LISTS[kind]
    client = api(persona)
    counts = {}
    for tenant_size in TENANT_SIZES:
        grow(kind, world, tenant_size)
        for page_size in PAGE_SIZES:
            count, response = queries_of(
                client, "get", f"{url_of(template, world)}?limit={page_size}"
            )
            body = response.json()
            assert len(body["results"]) == page_size
            assert body["count"] >= tenant_size
            assert body["next"] is not None
            counts[(tenant_size, page_size)] = count
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= LIST_QUERIES, counts


@pytest.mark.parametrize("kind", list(LISTS))
def test_a_page_that_shows_the_end_of_the_list_runs_no_count(api, world, kind):
    persona, template = LISTS[kind]
    grow(kind, world, 6)
    client = api(persona)
    full, _ = queries_of(client, "get", f"{url_of(template, world)}?limit=3")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{url_of(template, world)}?limit=100").json()
    assert body["next"] is None
    assert body["count"] == len(body["results"])
    assert not any("COUNT(" in query["sql"].upper() for query in queries)
    assert statements(queries) == full - 1


# Plugin lookups: fixed counts, at two tenant sizes ------------------------------------------

PLUGIN_QUERIES = {
    # caller (VLE with its institution), page
    "course by vle_course_id": 2,
    # caller, course parent, page
    "activity by type + id": 3,
    # caller, course (with its institution's consent versions), learner (person, consent
    # and SEND), enrolment insert
    "enrol": 4,
    # caller, activity, learner (person, consent and SEND), consent versions, instruments,
    # session, course enrolment, launcher, session configuration
    "assessment, activity disabled": 9,
    # the same: with no instrument watching, the learner's enrolments are not read
    "assessment, activity unwatched": 9,
    # and the learner's enrolments with their pending contributions and sample counts
    "assessment, activity watched": 12,
}


def plugin_request(name: str, world: dict, learner) -> tuple[str, str, dict | None]:
    v = f"/api/v2/vle/{world['vle'].pk}"
    course, activity = world["course"], world["activity"]
    uid = learner.institution_user.uid
    if name == "course by vle_course_id":
        return "get", f"{v}/course/?vle_course_id={course.vle_course_id}", None
    if name == "activity by type + id":
        return (
            "get",
            f"{v}/course/{course.pk}/activity/?vle_activity_type={activity.vle_activity_type}"
            f"&vle_activity_id={activity.vle_activity_id}",
            None,
        )
    if name == "enrol":
        return "post", f"{v}/course/{course.pk}/learner/", {"uid": uid}
    return (
        "post",
        f"{v}/assessment/",
        {
            "vle_activity_type": activity.vle_activity_type,
            "vle_activity_id": activity.vle_activity_id,
            "vle_learner_uid": uid,
        },
    )


@pytest.mark.parametrize("name", list(PLUGIN_QUERIES))
def test_plugin_lookups_cost_a_fixed_number_of_queries(api, world, name):
    client = api("vle")
    if name.endswith(("unwatched", "watched")):
        Activity.objects.filter(pk=world["activity"].pk).update(enabled=True)
    if name.endswith(" watched"):
        # Plagiarism detection needs no enrolment: the session opens.
        ActivityInstrument.objects.create(
            activity=world["activity"], instrument_id=PLAGIARISM, active=True
        )
    counts = []
    for tenant_size in TENANT_SIZES:
        grow("learner", world, tenant_size)
        grow("vle_course", world, tenant_size)
        grow("activity", world, tenant_size)
        learner = world["course"].learners.order_by("-pk").first()
        count, _ = queries_of(client, *plugin_request(name, world, learner))
        counts.append(count)
    assert counts == [PLUGIN_QUERIES[name]] * len(TENANT_SIZES), counts


# Transactions --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reads_open_no_transaction_and_writes_one(institution, vle, course, activity):
    client = factories.client_for(vle)
    learner = factories.user(institution, learner=True)
    seen: list[bool] = []

    def record(execute, sql, params, many, context):
        # SQLite's driver logs the BEGIN that opens the transaction, just before it is open.
        if sql.upper() != "BEGIN":
            seen.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(f"/api/v2/vle/{vle.pk}/course/").status_code == 200
    assert seen and not any(seen)

    seen.clear()
    with connection.execute_wrapper(record):
        response = client.post(
            f"/api/v2/vle/{vle.pk}/course/{course.pk}/learner/",
            {"uid": learner.institution_user.uid},
            format="json",
        )
    assert response.status_code == 201
    assert seen and all(seen)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/vle/1/course/",
        "/api/v2/institution/1/learner/",
        "/api/v2/auth/profile",
        "/api/v2/auth/approle",
        "/api/v2/vle/session/00000000-0000-0000-0000-000000000000/connector.js",
        "/api/v2/vle/session/00000000-0000-0000-0000-000000000000/data.json",
    ],
)
def test_api_views_are_exempt_from_atomic_requests(path):
    """ATOMIC_REQUESTS would wrap every request, reads included, in BEGIN/COMMIT: the API's
    views opt out (and open a transaction themselves for writes)."""
    assert "default" in getattr(resolve(path).func, "_non_atomic_requests", set())
