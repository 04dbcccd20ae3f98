"""Reports in the institution tree (§19-21 + chart and CSV), the VLE tree (§10) and the
learner enrolment status (§12.7): who may read what, and what they read."""

import csv
import io

import pytest
from django.urls import reverse

from reports.models import ReportActivity
from tests import factories
from tests.conftest import PERSONAS
from tests.matrix import INSTITUTION, VLE, Case, Fixtures, check, kw, params, personas_without
from tests.reports.conftest import answer, enrol, give_consent, submit

pytestmark = pytest.mark.django_db

STAFF = {"global_admin", "inst_admin", "data_admin", "instructor"}


@pytest.fixture
def scenario(institution, course, configured_activity, consenting_learner, consent, committed):
    """The course's learner and one classmate, each with a face-recognition sample answered,
    and a plagiarism document for the learner."""
    fr = factories.provider(1)
    plag = factories.provider(5, inverted_polarity=True, alert_below="0.70", warning_below="0.50")
    classmate = give_consent(factories.user(institution, learner=True), consent)
    course.learners.add(classmate)
    with committed():
        for learner, value in ((consenting_learner, 0.92), (classmate, 0.45)):
            enrol(learner, fr)
            request = submit(learner, configured_activity, [1])
            answer(fr, request, status=1, result=value, code=1, audit={"score": value})
        document = submit(consenting_learner, configured_activity, [5])
        answer(plag, document, status=1, result=0.1, code=1)
    return {
        "report": ReportActivity.objects.get(learner=consenting_learner),
        "classmate_report": ReportActivity.objects.get(learner=classmate),
        "request": request,
        "fr": fr,
    }


def base(institution, course, activity) -> str:
    return reverse(
        "institution-report-list",
        kwargs={
            "institution_pk": institution.pk,
            "course_pk": course.pk,
            "activity_pk": activity.pk,
        },
    )


REPORTS = kw(
    institution_pk="institution.pk", course_pk="course.pk", activity_pk="configured_activity.pk"
)
REPORT = kw(
    institution_pk="institution.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    pk=lambda w: w.scenario["report"].pk,
)
UNDER_REPORT = kw(
    institution_pk="institution.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    report_pk=lambda w: w.scenario["report"].pk,
)
REQUEST = kw(
    institution_pk="institution.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    report_pk=lambda w: w.scenario["report"].pk,
    pk=lambda w: w.scenario["report"].learner.requests.order_by("id").first().pk,
)
AUDIT = kw(
    institution_pk="institution.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    report_pk=lambda w: w.scenario["report"].pk,
    instrument_id=1,
)


def reader(name, url_name, kwargs):
    """A report endpoint: staff read it; learners only where the institution allows."""
    return Case(name, "get", url_name, INSTITUTION, STAFF, kwargs=kwargs)


CASES = [
    reader("list", "institution-report-list", REPORTS),
    reader("detail", "institution-report-detail", REPORT),
    reader("data", "institution-report-data", REPORT),
    reader("chart", "institution-report-chart", REPORT),
    reader("export", "institution-report-export", REPORTS),
    reader("requests", "institution-report-request-list", UNDER_REPORT),
    reader("request", "institution-report-request-detail", REQUEST),
    reader("audits", "institution-report-audit-list", UNDER_REPORT),
    reader("audit", "institution-report-audit-detail", AUDIT),
    reader("audit_data", "institution-report-audit-data", AUDIT),
]
ENDPOINTS = ["list", "detail", "data", "chart", "requests", "request", "audits", "audit"]


@pytest.fixture
def world(request, scenario):
    world = Fixtures(request)
    world.scenario = scenario
    return world


def paths(world) -> dict[str, str]:
    return {case.name: case.url(world) for case in CASES}


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_permission_matrix(api, world, persona):
    """Every report endpoint, for each persona (one scenario per persona keeps it quick)."""
    client = api(persona)
    statuses = {case.name: case.call(client, world).status_code for case in CASES}
    assert statuses == {case.name: case.expected(persona) for case in CASES}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_reports_are_read_only(
    api, institution, course, configured_activity, scenario, world, method
):
    urls = paths(world)
    client = api("inst_admin")
    for endpoint in ENDPOINTS:
        response = getattr(client, method)(urls[endpoint], {}, format="json")
        # No write action exists: no role grants one (403) or the method is unknown (405).
        assert response.status_code in {403, 405}, endpoint
    assert ReportActivity.objects.count() == 2
    assert scenario["report"].detail.count() == 2


@pytest.mark.parametrize(
    ("report_flag", "audit_flag", "expected"),
    [
        (False, False, {"list": 403, "detail": 403, "requests": 403, "audit": 403}),
        (True, False, {"list": 200, "detail": 200, "requests": 200, "audit": 403}),
        (True, True, {"list": 200, "detail": 200, "requests": 200, "audit": 200}),
    ],
)
def test_learners_read_their_own_report_when_the_institution_allows(
    api,
    institution,
    course,
    configured_activity,
    scenario,
    world,
    report_flag,
    audit_flag,
    expected,
):
    institution.allow_learner_report = report_flag
    institution.allow_learner_audit = audit_flag
    institution.save()
    urls = paths(world)
    client = api("learner")
    for endpoint, status in expected.items():
        assert client.get(urls[endpoint]).status_code == status, endpoint
    if report_flag:
        listed = client.get(urls["list"]).json()
        assert [row["id"] for row in listed["results"]] == [scenario["report"].pk]
        other = (
            f"{base(institution, course, configured_activity)}{scenario['classmate_report'].pk}/"
        )
        assert client.get(other).status_code == 404
        assert client.get(f"{other}request/").status_code == 404
        assert client.get(f"{urls['list']}export.csv").status_code == 403


def test_foreign_and_missing_parents_are_404(
    api, institution, course, configured_activity, scenario, other_institution
):
    foreign_course = factories.course(factories.vle(other_institution))
    foreign_activity = factories.activity(foreign_course)
    client = api("inst_admin")
    assert client.get(base(institution, foreign_course, foreign_activity)).status_code == 404
    other_course = factories.course(factories.vle(institution))
    assert client.get(base(institution, other_course, configured_activity)).status_code == 404
    root = base(institution, course, configured_activity)
    assert client.get(f"{root}999999/").status_code == 404
    assert client.get(f"{root}{scenario['report'].pk}/audit/4/").status_code == 404
    assert client.get(f"{root}999999/request/").status_code == 404


def test_report_list_and_detail_show_levels_and_explanations(
    api, institution, course, configured_activity, scenario, world
):
    urls = paths(world)
    client = api("instructor")
    listed = client.get(urls["list"]).json()
    assert listed["count"] == 2
    mine = next(row for row in listed["results"] if row["id"] == scenario["report"].pk)
    assert mine["learner"]["learner_id"] == str(scenario["report"].learner.learner_id)
    assert set(mine["learner"]) == {"id", "uid", "first_name", "last_name", "email", "learner_id"}
    assert (mine["identity_level"], mine["content_level"], mine["integrity_level"]) == (2, 2, 1)
    fr = next(item for item in mine["detail"] if item["instrument_id"] == 1)
    assert fr == {
        "instrument": "Face Recognition",
        "enrolment": 100,
        "confidence": 100,
        "result": 92,
        "identity_level": 2,
        "content_level": 1,
        "integrity_level": 1,
        "instrument_id": 1,
    }

    detail = client.get(urls["detail"]).json()
    fr = next(item for item in detail["detail"] if item["instrument_id"] == 1)
    assert fr["activity_histogram"] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert fr["learner_histogram"] == [0] * 9 + [1]
    assert fr["result_bean"] == 9
    assert fr["thresholds"] == {"warning_below": 0.6, "alert_below": 0.3}
    assert fr["instrument_polarity"] == 1
    assert fr["prob_context"] == 0.5
    assert fr["h_prob_context"] == 0.0
    assert "POSITIVE_LEARNER_RESULT_ABOVE_THRESHOLD" in fr["facts"]["positive"]
    plag = next(item for item in detail["detail"] if item["instrument_id"] == 5)
    assert plag["instrument_polarity"] == -1
    assert detail["chart"].endswith(urls["chart"])
    assert detail["data"].endswith(urls["data"])


def test_empty_histograms_give_nulls_not_errors(
    api, institution, course, configured_activity, consenting_learner, committed
):
    with committed():
        submit(consenting_learner, configured_activity, [5])  # no provider: nothing counted
    report = ReportActivity.objects.get()
    detail = api("inst_admin").get(f"{base(institution, course, configured_activity)}{report.pk}/")
    assert detail.status_code == 200
    item = detail.json()["detail"][0]
    assert item["activity_histogram"] == [0] * 10
    assert (item["prob_learner"], item["prob_context"], item["h_prob_context"]) == (None,) * 3
    assert item["facts"] == {"neutral": ["NEUTRAL_MISSING_INFORMATION"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("level=4", set()),
        ("level=3", {"classmate"}),
        ("level__gte=3", {"classmate"}),
        ("level__lte=2", {"learner", "classmate"}),  # integrity is 1 for both
        ("identity_level=2", {"learner"}),
        ("identity_level__gte=3", {"classmate"}),
        ("content_level=2", {"learner"}),
        ("content_level__lte=1", {"classmate"}),
        ("integrity_level=1", {"learner", "classmate"}),
    ],
)
def test_report_filters(api, institution, course, configured_activity, scenario, query, expected):
    names = {scenario["report"].pk: "learner", scenario["classmate_report"].pk: "classmate"}
    response = api("inst_admin").get(f"{base(institution, course, configured_activity)}?{query}")
    assert response.status_code == 200
    assert {names[row["id"]] for row in response.json()["results"]} == expected


def test_report_filters_by_learner_and_search(
    api, institution, course, configured_activity, scenario
):
    root = base(institution, course, configured_activity)
    user = scenario["report"].learner.institution_user.user
    client = api("inst_admin")
    for query in (f"learner__email={user.email}", f"search={user.last_name}"):
        results = client.get(f"{root}?{query}").json()["results"]
        assert [row["id"] for row in results] == [scenario["report"].pk]
    ordered = client.get(f"{root}?ordering=-identity_level").json()["results"]
    assert ordered[0]["id"] == scenario["classmate_report"].pk


@pytest.mark.parametrize("query", ["level=9", "level__gte=x", "identity_level=-1", "learner_id=1"])
def test_bad_filter_values_are_400_naming_the_parameter(
    api, institution, course, configured_activity, scenario, query
):
    response = api("inst_admin").get(f"{base(institution, course, configured_activity)}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("size", [2, 12])
def test_report_list_costs_a_fixed_number_of_queries(
    api,
    institution,
    course,
    configured_activity,
    consent,
    committed,
    django_assert_max_num_queries,
    size,
):
    fr = factories.provider(1)
    with committed():
        for _ in range(size):
            learner = give_consent(factories.user(institution, learner=True), consent)
            course.learners.add(learner)
            enrol(learner, fr)
            request = submit(learner, configured_activity, [1, 5])
            answer(fr, request, status=1, result=0.7, code=1)
    client = api("inst_admin")
    with django_assert_max_num_queries(14):
        response = client.get(f"{base(institution, course, configured_activity)}?limit=20")
    assert response.json()["count"] == size
    assert all(len(row["detail"]) == 2 for row in response.json()["results"])


def test_report_requests_and_audits(api, institution, course, configured_activity, scenario, world):
    urls = paths(world)
    client = api("inst_admin")
    requests = client.get(urls["requests"]).json()
    assert requests["count"] == 2
    first = requests["results"][0]
    assert first["learner"] == scenario["report"].learner_id
    assert first["instruments"] == [1]
    assert first["result"][0]["status"] == 1
    # The stored sample is downloaded through the API (with the caller's credentials).
    assert first["data"] == f"http://testserver{urls['requests']}{first['id']}/data/"
    only_plag = client.get(f"{urls['requests']}?instruments=5").json()
    assert [row["instruments"] for row in only_plag["results"]] == [[5]]

    audits = client.get(urls["audits"]).json()
    assert [row["instrument"] for row in audits["results"]] == [1, 5]
    assert audits["results"][0]["audit_data"].endswith(urls["audit_data"])
    audit = client.get(urls["audit"]).json()
    assert (audit["result"], audit["confidence"], audit["enrolment"]) == (92, 100, 100)
    trail = next(iter(audit["audit"]["requests"].values()))
    assert trail["results"][str(scenario["fr"].pk)]["audit"] == {"score": 0.92}
    trail_again = client.get(urls["audit_data"]).json()
    trail_keys = {"providers", "requests", "enrolment_samples"}
    assert trail_again.keys() == audit["audit"].keys() == trail_keys
    assert trail_again["providers"] == audit["audit"]["providers"]


def test_report_data_summarises_documents(
    api, institution, course, configured_activity, scenario, world
):
    data = api("inst_admin").get(paths(world)["data"])
    assert data.status_code == 200
    documents = data.json()["documents"]
    assert [doc["instruments"] for doc in documents] == [[1], [5]]
    assert documents[0]["results"]["1"] == {"status": 1, "result": 0.92}


def test_chart_is_an_svg_of_the_learner_against_the_activity(
    api, institution, course, configured_activity, scenario, world
):
    urls = paths(world)
    response = api("instructor").get(urls["chart"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<svg") and body.rstrip().endswith("</svg>")
    assert "Face Recognition (fr): result 92 %" in body
    assert "Plagiarism Detection" in body
    only_fr = api("instructor").get(f"{urls['chart']}?instrument_id=1").content.decode()
    assert "Plagiarism" not in only_fr
    assert api("instructor").get(f"{urls['chart']}?instrument_id=x").status_code == 400


def test_csv_export_lists_every_report_safely(
    api, institution, course, configured_activity, scenario
):
    user = scenario["classmate_report"].learner.institution_user.user
    user.first_name = "=HYPERLINK(1)"
    user.save()
    root = base(institution, course, configured_activity)
    response = api("data_admin").get(f"{root}export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    by_id = {int(row["report_id"]): row for row in rows}
    mine = by_id[scenario["report"].pk]
    assert (mine["identity_level"], mine["fr_result"], mine["plag_level"]) == ("2", "92", "2")
    assert by_id[scenario["classmate_report"].pk]["first_name"] == "'=HYPERLINK(1)"
    assert by_id[scenario["classmate_report"].pk]["plag_result"] == ""
    filtered = api("data_admin").get(f"{root}export.csv?level__gte=3").content.decode()
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == 1


# VLE tree ---------------------------------------------------------------------------------------


def vle_base(vle, course, activity) -> str:
    return reverse(
        "vle-report-list",
        kwargs={"vle_pk": vle.pk, "course_pk": course.pk, "activity_pk": activity.pk},
    )


VLE_REPORTS = kw(vle_pk="vle.pk", course_pk="course.pk", activity_pk="configured_activity.pk")
VLE_REPORT = kw(
    vle_pk="vle.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    pk=lambda w: w.scenario["report"].pk,
)
VLE_CASES = [
    Case("vle list", "get", "vle-report-list", VLE, {"vle"}, kwargs=VLE_REPORTS),
    Case("vle detail", "get", "vle-report-detail", VLE, {"vle"}, kwargs=VLE_REPORT),
    Case("vle data", "get", "vle-report-data", VLE, {"vle"}, kwargs=VLE_REPORT),
    Case("vle chart", "get", "vle-report-chart", VLE, {"vle"}, kwargs=VLE_REPORT),
]
VLE_PERSONAS = personas_without(
    "legal_admin", "send_admin", "data_admin", "instructor", "learner", "member", "foreign_admin"
)


@pytest.mark.parametrize("persona", VLE_PERSONAS)
def test_vle_report_matrix(api, world, persona):
    client = api(persona)
    statuses = {case.name: case.call(client, world).status_code for case in VLE_CASES}
    assert statuses == {case.name: case.expected(persona) for case in VLE_CASES}


def test_vle_reads_reports_with_explanations(
    api, vle, other_vle, course, configured_activity, scenario
):
    root = vle_base(vle, course, configured_activity)
    client = api("vle")
    listed = client.get(root).json()
    assert listed["count"] == 2
    detail = client.get(f"{root}{scenario['report'].pk}/").json()
    fr = next(item for item in detail["detail"] if item["instrument_id"] == 1)
    assert fr["thresholds"] == {"warning_below": 0.6, "alert_below": 0.3}
    assert fr["activity_histogram"] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    # A course of another VLE is not reachable through this VLE, even by id.
    other_course = factories.course(other_vle)
    assert client.get(vle_base(vle, other_course, configured_activity)).status_code == 404


# Learner enrolment status (§12.7) ---------------------------------------------------------------


def enrolment_url(institution, learner) -> str:
    return reverse(
        "institution-learner-enrolment",
        kwargs={"institution_pk": institution.pk, "learner_pk": learner.pk},
    )


ENROLMENT = kw(institution_pk="institution.pk", learner_pk="consenting_learner.pk")
ENROLMENT_CASES = [
    Case(
        "enrolment status",
        "get",
        "institution-learner-enrolment",
        INSTITUTION,
        {*STAFF, "legal_admin", "send_admin", "learner"},
        kwargs=ENROLMENT,
    ),
    Case(
        "enrolment prune",
        "delete",
        "institution-learner-enrolment",
        INSTITUTION,
        {"data_admin"},
        kwargs=ENROLMENT,
    ),
]
ENROLMENT_PERSONAS = personas_without("other_vle", "foreign_vle", "learner_token")


@pytest.mark.parametrize(("case", "persona"), params(ENROLMENT_CASES, ENROLMENT_PERSONAS))
def test_enrolment_status_matrix(request, api, case, persona):
    check(case, persona, api(persona), Fixtures(request))


def test_enrolment_status_and_missing_enrolments(
    api, institution, configured_activity, consenting_learner, fr_provider
):
    url = enrolment_url(institution, consenting_learner)
    client = api("inst_admin")
    # The bare list the dashboard iterates (the spec shows a learner object).
    assert client.get(url).json() == []
    enrol(consenting_learner, fr_provider, percentage="0.50", can_analyse=False)
    assert client.get(url).json() == [
        {
            "instrument_id": 1,
            "percentage__min": 0.5,
            "percentage__max": 0.5,
            "can_analyse__min": False,
            "can_analyse__max": False,
            "pending": [],
            "pending_contributions": 0.0,
            "not_validated": [],
            "not_validated_count": 0,
        }
    ]
    missing = client.get(f"{url}?activity_id={configured_activity.pk}").json()
    assert missing["missing_enrolments"] is True
    assert missing["instruments"]["1"]["can_analyse__max"] is False
    assert (missing["learner_id"], missing["activity_id"]) == (
        consenting_learner.pk,
        configured_activity.pk,
    )
    assert client.get(f"{url}?activity_id=abc").status_code == 400
    foreign = factories.activity(factories.course(factories.vle(factories.institution())))
    response = client.get(f"{url}?activity_id={foreign.pk}")
    assert response.status_code == 400 and "activity_id" in response.json()


def test_delete_drops_models_of_instruments_never_used(
    api, institution, configured_activity, consenting_learner, fr_provider, plag_provider
):
    enrol(consenting_learner, fr_provider)
    enrol(consenting_learner, plag_provider)
    submit(consenting_learner, configured_activity, [1])
    response = api("data_admin").delete(enrolment_url(institution, consenting_learner))
    assert response.status_code == 200
    assert [row["instrument_id"] for row in response.json()] == [1]
    assert consenting_learner.enrolments.get().provider == fr_provider


def test_another_institutions_learner_is_404(api, institution, other_institution):
    stranger = factories.user(other_institution, learner=True).institution_user.learner
    assert api("inst_admin").get(enrolment_url(institution, stranger)).status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_request_and_audit_lists_cost_a_fixed_number_of_queries(
    api,
    institution,
    course,
    configured_activity,
    consenting_learner,
    committed,
    django_assert_max_num_queries,
    size,
):
    fr = factories.provider(1)
    enrol(consenting_learner, fr)
    with committed():
        for _ in range(size):
            request = submit(consenting_learner, configured_activity, [1, 5])
            answer(fr, request, status=1, result=0.7, code=1)
    report = ReportActivity.objects.get()
    root = f"{base(institution, course, configured_activity)}{report.pk}/"
    client = api("inst_admin")
    with django_assert_max_num_queries(16):
        requests = client.get(f"{root}request/?limit=20").json()
    assert requests["count"] == size
    assert all(len(row["result"]) == 2 for row in requests["results"])
    with django_assert_max_num_queries(16):
        assert client.get(f"{root}audit/").json()["count"] == 2
