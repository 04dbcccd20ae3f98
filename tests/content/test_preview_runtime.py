"""SCORM runtime commits become xAPI statements, as SCORM Cloud records them."""

import pytest

from tests.content.preview_versions import stored_version
from tests.content.test_preview_player import open_player, player_config
from vle.content.models import Statement

pytestmark = pytest.mark.django_db

VERB = "http://adlnet.gov/expapi/verbs/"


def runtime_url(client, version):
    response, _ = open_player(client, version)
    return player_config(response)["runtimeUrl"]


def commit(client, url, standard, event, data):
    return client.post(
        url, {"standard": standard, "event": event, "data": data}, content_type="application/json"
    )


def verbs():
    return sorted(s.verb.removeprefix(VERB) for s in Statement.objects.all())


@pytest.fixture
def scorm2004(vle):
    return stored_version(
        vle,
        standard="SCORM20044THEDITION",
        files={"index.html": "sco"},
        xapi_activity_id="https://example.org/courses/golf",
    )


@pytest.fixture
def scorm12(vle):
    return stored_version(vle, standard="SCORM12", files={"index.html": "sco"})


DATA_2004 = {
    "cmi.completion_status": "completed",
    "cmi.success_status": "passed",
    "cmi.score.scaled": "0.85",
    "cmi.score.raw": "85",
    "cmi.score.min": "0",
    "cmi.score.max": "100",
    "cmi.session_time": "PT1M30S",
    "cmi.interactions.0.id": "q1",
    "cmi.interactions.0.type": "choice",
    "cmi.interactions.0.learner_response": "b",
    "cmi.interactions.0.result": "correct",
    "cmi.interactions.0.correct_responses.0.pattern": "b",
    "cmi.interactions.0.description": "Which club?",
}


def test_a_scorm_2004_session_becomes_statements(client, scorm2004):
    url = runtime_url(client, scorm2004)

    first = commit(client, url, "scorm2004", "commit", DATA_2004)
    second = commit(client, url, "scorm2004", "terminate", DATA_2004)

    assert first.status_code == 200
    assert first.json() == {"recorded": 4}
    assert second.json() == {"recorded": 1}
    assert verbs() == ["answered", "completed", "initialized", "passed", "terminated"]
    passed = Statement.objects.get(verb=VERB + "passed")
    assert passed.statement["result"] == {
        "success": True,
        "score": {"scaled": 0.85, "raw": 85.0, "min": 0.0, "max": 100.0},
    }
    assert passed.activity_id == "https://example.org/courses/golf"
    assert passed.course == scorm2004.course and passed.version == scorm2004
    assert passed.learner_id == "preview"
    assert passed.registration == scorm2004.preview_sessions.get().registration
    answered = Statement.objects.get(verb=VERB + "answered").statement
    assert answered["result"] == {"response": "b", "success": True}
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["object"]["definition"]["correctResponsesPattern"] == ["b"]
    assert answered["context"]["contextActivities"]["parent"] == [
        {"id": "https://example.org/courses/golf"}
    ]
    terminated = Statement.objects.get(verb=VERB + "terminated").statement
    assert terminated["result"]["duration"] == "PT1M30S"
    assert terminated["result"]["completion"] is True
    assert terminated["stored"].endswith("Z") and terminated["version"] == "1.0.0"


def test_repeated_commits_record_nothing_twice(client, scorm2004):
    url = runtime_url(client, scorm2004)
    commit(client, url, "scorm2004", "commit", DATA_2004)

    again = commit(client, url, "scorm2004", "commit", DATA_2004)

    assert again.json() == {"recorded": 0}
    assert Statement.objects.count() == 4


def test_a_changed_answer_is_a_new_statement(client, scorm2004):
    url = runtime_url(client, scorm2004)
    commit(client, url, "scorm2004", "commit", DATA_2004)

    changed = {**DATA_2004, "cmi.interactions.0.learner_response": "c"}
    changed["cmi.interactions.0.result"] = "incorrect"
    commit(client, url, "scorm2004", "commit", changed)

    answers = Statement.objects.filter(verb=VERB + "answered")
    assert sorted(s.statement["result"]["success"] for s in answers) == [False, True]


def test_a_suspended_exit_is_recorded_as_suspended(client, scorm2004):
    url = runtime_url(client, scorm2004)
    commit(client, url, "scorm2004", "terminate", {"cmi.exit": "suspend"})
    assert verbs() == ["initialized", "suspended"]


def test_a_scorm_12_session_becomes_statements(client, scorm12):
    url = runtime_url(client, scorm12)
    data = {
        "cmi.core.lesson_status": "failed",
        "cmi.core.score.raw": "40",
        "cmi.core.session_time": "0000:02:05.5",
        "cmi.core.exit": "",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.type": "true-false",
        "cmi.interactions.0.student_response": "t",
        "cmi.interactions.0.result": "wrong",
    }

    assert commit(client, url, "scorm12", "finish", data).status_code == 200

    assert verbs() == ["answered", "completed", "failed", "initialized", "terminated"]
    failed = Statement.objects.get(verb=VERB + "failed").statement
    assert failed["result"] == {"success": False, "score": {"scaled": 0.4, "raw": 40.0}}
    terminated = Statement.objects.get(verb=VERB + "terminated").statement
    assert terminated["result"]["duration"] == "PT0H2M05.5S"
    answered = Statement.objects.get(verb=VERB + "answered").statement
    assert answered["result"] == {"response": "t", "success": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"standard": "scorm12", "event": "commit", "data": {}}, "standard"),
        ({"standard": "scorm2004", "event": "explode", "data": {}}, "event"),
        ({"standard": "scorm2004", "event": "commit", "data": []}, "data"),
        ({"standard": "scorm2004", "event": "commit", "data": {"cmi.location": 3}}, "data"),
    ],
)
def test_a_malformed_commit_is_400_naming_the_field(client, scorm2004, body, field):
    url = runtime_url(client, scorm2004)

    response = client.post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}:")
    assert not Statement.objects.exists()


def test_a_commit_that_is_not_json_is_400(client, scorm2004):
    url = runtime_url(client, scorm2004)
    assert client.post(url, "{nope", content_type="application/json").status_code == 400
    assert client.post(url, "[1]", content_type="application/json").status_code == 400


def test_a_beacon_commit_sent_as_text_is_accepted(client, scorm2004):
    import json

    url = runtime_url(client, scorm2004)
    body = json.dumps({"standard": "scorm2004", "event": "terminate", "data": {}})

    response = client.post(url, body, content_type="text/plain;charset=UTF-8")

    assert response.status_code == 200
    assert verbs() == ["initialized", "terminated"]


def test_commits_need_a_live_session(client, scorm2004):
    url = runtime_url(client, scorm2004)
    scorm2004.preview_sessions.update(expires_at="2000-01-01T00:00:00Z")

    response = commit(client, url, "scorm2004", "commit", DATA_2004)

    assert response.status_code == 404
    assert client.get(url).status_code == 405


def test_runtime_statements_can_be_switched_off(client, scorm2004):
    from vle.content.models import CourseSetting

    CourseSetting.objects.create(
        course=scorm2004.course, setting_id="PlayerRecordRuntimeStatements", value="false"
    )
    url = runtime_url(client, scorm2004)

    response = commit(client, url, "scorm2004", "terminate", DATA_2004)

    assert response.status_code == 200 and response.json() == {"recorded": 0}
    assert not Statement.objects.exists()
