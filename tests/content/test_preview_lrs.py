"""The xAPI endpoint of preview sessions: how xAPI (Tin Can) and cmi5 content is launched,
records statements, and keeps its documents."""

import base64
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.content.preview_versions import stored_version
from tests.content.test_preview_player import open_player, player_config
from vle.content.models import PreviewSession, Statement

pytestmark = pytest.mark.django_db

VERB = "http://adlnet.gov/expapi/verbs/"
XAPI = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
PUBLISHER_ID = "https://example.org/cmi5/au/1"


def launch_params(client, version) -> dict[str, str]:
    response, _ = open_player(client, version)
    url = player_config(response)["launchUrl"]
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def a_statement(actor, activity_id, verb="experienced", **extra) -> dict:
    return {
        "actor": actor,
        "verb": {"id": VERB + verb, "display": {"en-US": verb}},
        "object": {"id": activity_id, "objectType": "Activity"},
        **extra,
    }


@pytest.fixture
def tincan(vle):
    return stored_version(
        vle,
        standard="XAPI",
        files={"index.html": "tincan"},
        launch_path="index.html",
        xapi_activity_id="http://example.org/golf",
    )


@pytest.fixture
def xapi(client, tincan):
    """The launch parameters, and the headers of an xAPI call with their credential."""
    params = launch_params(client, tincan)
    return params, {**XAPI, "HTTP_AUTHORIZATION": params["auth"]}


def test_xapi_content_is_launched_with_the_tin_can_parameters(client, tincan):
    params = launch_params(client, tincan)
    session = PreviewSession.objects.get()

    assert params["endpoint"] == "http://testserver/content/xapi/"
    assert params["auth"].startswith("Basic ")
    assert params["registration"] == str(session.registration)
    assert params["activity_id"] == "http://example.org/golf"
    actor = json.loads(params["actor"])
    assert actor["account"] == {"homePage": "http://127.0.0.1:8000", "name": "preview"}


def test_content_posts_statements_to_the_endpoint(client, tincan, xapi):
    params, headers = xapi
    actor = json.loads(params["actor"])
    body = [
        a_statement(actor, params["activity_id"], context={"registration": params["registration"]}),
        a_statement(actor, params["activity_id"] + "/page2", "completed"),
    ]

    response = client.post(
        "/content/xapi/statements", body, content_type="application/json", **headers
    )

    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "1.0.3"
    ids = response.json()
    assert len(ids) == 2
    stored = Statement.objects.get(pk=ids[0])
    assert stored.course == tincan.course and stored.version == tincan
    assert stored.verb == VERB + "experienced"
    assert stored.activity_id == "http://example.org/golf"
    assert str(stored.registration) == params["registration"]
    assert stored.learner_id == "preview"
    assert stored.statement["id"] == ids[0]
    assert stored.statement["authority"]["objectType"] == "Agent"


def test_put_stores_a_statement_under_its_id_once(client, tincan, xapi):
    params, headers = xapi
    statement = a_statement(json.loads(params["actor"]), params["activity_id"])
    statement_id = str(uuid.uuid4())
    url = f"/content/xapi/statements?statementId={statement_id}"

    first = client.put(url, statement, content_type="application/json", **headers)
    again = client.put(url, statement, content_type="application/json", **headers)
    other = client.put(
        url,
        {**statement, "verb": {"id": VERB + "failed"}},
        content_type="application/json",
        **headers,
    )

    assert (first.status_code, again.status_code, other.status_code) == (204, 204, 409)
    assert Statement.objects.filter(pk=statement_id).count() == 1
    fetched = client.get(url, **headers)
    assert fetched.status_code == 200 and fetched.json()["verb"]["id"] == VERB + "experienced"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"verb": {"display": {"en-US": "x"}}}, "verb.id"),
        ({"actor": {"name": "nobody"}}, "actor"),
        ({"actor": {"mbox": "someone@example.org"}}, "actor"),
        ({"object": {"objectType": "Activity"}}, "object.id"),
        ({"id": "not-a-uuid"}, "id"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"result": {"score": {"scaled": 3}}}, "result.score.scaled"),
        ({"context": {"registration": "x"}}, "context.registration"),
    ],
)
def test_an_invalid_statement_is_400_naming_the_field(client, xapi, change, field):
    params, headers = xapi
    statement = {**a_statement(json.loads(params["actor"]), params["activity_id"]), **change}

    response = client.post(
        "/content/xapi/statements", [statement], content_type="application/json", **headers
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}:")
    assert not Statement.objects.exists()


def test_a_batch_is_all_or_nothing(client, xapi):
    params, headers = xapi
    good = a_statement(json.loads(params["actor"]), params["activity_id"])
    response = client.post(
        "/content/xapi/statements", [good, {"verb": {}}], content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_the_endpoint_needs_the_version_header_and_the_credential(client, xapi):
    params, headers = xapi
    body = a_statement(json.loads(params["actor"]), params["activity_id"])
    url = "/content/xapi/statements"
    forged = "Basic " + base64.b64encode(b"preview:forged").decode()

    no_version = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=params["auth"]
    )
    no_auth = client.post(url, body, content_type="application/json", **XAPI)
    bad_auth = client.post(
        url, body, content_type="application/json", **XAPI, HTTP_AUTHORIZATION=forged
    )
    not_json = client.post(url, "{", content_type="application/json", **headers)

    assert no_version.status_code == 400
    assert no_auth.status_code == 401 and no_auth["WWW-Authenticate"] == 'Basic realm="xAPI"'
    assert bad_auth.status_code == 401
    assert not_json.status_code == 400
    assert not Statement.objects.exists()


def test_about_answers_without_credentials(client):
    response = client.get("/content/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.json()["version"]


def test_state_documents_round_trip(client, xapi):
    params, headers = xapi
    query = {
        "activityId": params["activity_id"],
        "agent": params["actor"],
        "registration": params["registration"],
        "stateId": "bookmark",
    }
    url = "/content/xapi/activities/state"
    from urllib.parse import urlencode

    put = client.put(
        f"{url}?{urlencode(query)}", {"page": 3}, content_type="application/json", **headers
    )
    merged = client.post(
        f"{url}?{urlencode(query)}", {"score": 1}, content_type="application/json", **headers
    )
    got = client.get(f"{url}?{urlencode(query)}", **headers)
    ids = client.get(
        f"{url}?{urlencode({k: v for k, v in query.items() if k != 'stateId'})}", **headers
    )
    deleted = client.delete(f"{url}?{urlencode(query)}", **headers)
    gone = client.get(f"{url}?{urlencode(query)}", **headers)

    assert (put.status_code, merged.status_code) == (204, 204)
    assert got.status_code == 200 and got.json() == {"page": 3, "score": 1}
    assert ids.json() == ["bookmark"]
    assert deleted.status_code == 204 and gone.status_code == 404


def test_state_needs_a_valid_agent_and_activity(client, xapi):
    _, headers = xapi
    url = "/content/xapi/activities/state"
    missing = client.get(f"{url}?stateId=a", **headers)
    bad_agent = client.get(f"{url}?stateId=a&activityId=http://x.org&agent=%7B", **headers)
    assert missing.status_code == 400 and missing.json()["message"].startswith("activityId:")
    assert bad_agent.status_code == 400 and bad_agent.json()["message"].startswith("agent:")


# --- cmi5 -----------------------------------------------------------------------------------


@pytest.fixture
def cmi5(vle):
    return stored_version(
        vle,
        standard="CMI5",
        files={"au/index.html": "au"},
        launch_path="au/index.html?paramA=1",
        xapi_activity_id="https://example.org/cmi5/course",
        root_activity={
            "activityType": "AGGREGATION",
            "externalIdentifier": "https://example.org/cmi5/course",
            "children": [
                {
                    "activityType": "SCO",
                    "externalIdentifier": PUBLISHER_ID,
                    "href": "au/index.html?paramA=1",
                    "moveOn": "CompletedAndPassed",
                    "scaledPassingScore": "0.9",
                    "launchParameters": "mode=quiz",
                    "entitlementKey": "sample value",
                }
            ],
        },
    )


def test_cmi5_content_is_launched_with_the_cmi5_parameters(client, cmi5):
    params = launch_params(client, cmi5)
    session = PreviewSession.objects.get()

    assert params["paramA"] == "1"  # the AU's own query string survives
    assert params["endpoint"] == "http://testserver/content/xapi/"
    assert params["fetch"].startswith("http://testserver/content/preview/")
    assert params["registration"] == str(session.registration)
    assert params["activityId"] == session.activity_id != PUBLISHER_ID
    assert json.loads(params["actor"])["account"]["name"] == "preview"
    launched = Statement.objects.get()
    assert launched.verb == VERB + "launched"
    assert launched.activity_id == session.activity_id
    assert launched.statement["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": PUBLISHER_ID}
    ]


def test_the_fetch_url_gives_the_token_once(client, cmi5):
    params = launch_params(client, cmi5)

    first = client.post(params["fetch"])
    second = client.post(params["fetch"])

    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    assert second.status_code == 403 and second.json()["error-code"] == "1"
    assert client.get(params["fetch"]).status_code == 405
    token = first.json()["auth-token"]
    about = client.get("/content/xapi/statements", **XAPI, HTTP_AUTHORIZATION=f"Basic {token}")
    assert about.status_code == 200


@pytest.fixture
def cmi5_session(client, cmi5):
    params = launch_params(client, cmi5)
    token = client.post(params["fetch"]).json()["auth-token"]
    return params, {**XAPI, "HTTP_AUTHORIZATION": f"Basic {token}"}


def launch_data_url(params) -> str:
    from urllib.parse import urlencode

    query = {
        "stateId": "LMS.LaunchData",
        "activityId": params["activityId"],
        "agent": params["actor"],
        "registration": params["registration"],
    }
    return "/content/xapi/activities/state?" + urlencode(query)


def test_the_au_reads_its_launch_data(client, cmi5_session):
    params, headers = cmi5_session

    response = client.get(launch_data_url(params), **headers)

    assert response.status_code == 200
    data = response.json()
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "CompletedAndPassed"
    assert data["masteryScore"] == 0.9
    assert data["launchParameters"] == "mode=quiz"
    assert data["entitlementKey"] == {"courseStructure": "sample value"}
    template = data["contextTemplate"]
    assert template["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": PUBLISHER_ID}
    ]
    assert template["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]


def test_the_launch_data_is_read_only(client, cmi5_session):
    params, headers = cmi5_session
    response = client.put(
        launch_data_url(params), {"x": 1}, content_type="application/json", **headers
    )
    assert response.status_code == 403


def test_learner_preferences_are_absent_until_written(client, cmi5_session):
    from urllib.parse import urlencode

    params, headers = cmi5_session
    url = "/content/xapi/agents/profile?" + urlencode(
        {"profileId": "cmi5LearnerPreferences", "agent": params["actor"]}
    )
    assert client.get(url, **headers).status_code == 404
    prefs = {"languagePreference": "en-US", "audioPreference": "on"}
    assert client.put(url, prefs, content_type="application/json", **headers).status_code == 204
    assert client.get(url, **headers).json() == prefs


def test_cmi5_content_may_not_void_statements(client, cmi5_session):
    params, headers = cmi5_session
    voiding = {
        "actor": json.loads(params["actor"]),
        "verb": {"id": VERB + "voided"},
        "object": {"objectType": "StatementRef", "id": str(uuid.uuid4())},
    }
    response = client.post(
        "/content/xapi/statements", voiding, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert Statement.objects.count() == 1  # just the launch


def test_the_sessions_statements_cost_a_fixed_number_of_queries(
    client, xapi, django_assert_max_num_queries
):
    params, headers = xapi
    actor = json.loads(params["actor"])
    context = {"registration": params["registration"]}
    batch = [a_statement(actor, f"{params['activity_id']}/{n}", context=context) for n in range(12)]
    client.post("/content/xapi/statements", batch, content_type="application/json", **headers)

    # The session and the statements, inside the request's and the view's savepoints.
    with django_assert_max_num_queries(6):
        response = client.get("/content/xapi/statements", **headers)

    assert response.status_code == 200
    assert len(response.json()["statements"]) == 12
