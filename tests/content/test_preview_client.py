"""The official SCORM Cloud client (PyPI `rustici-software-cloud-v2` 5.0.0) against a live
server: it imports a package, asks for preview links of the course and of a version, the
links open without credentials, and what the previewed SCO commits comes back as statements."""

import json
import re
import time
import urllib.request

import pytest
import rustici_software_cloud_v2 as scormcloud
from rustici_software_cloud_v2.rest import ApiException

from tests.content import packages

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course_api(short_lived_connections, live_server, vle, tmp_path):
    credentials = vle.issue_credentials()
    config = scormcloud.Configuration()
    config.host = f"{live_server.url}/api/v2/"  # the client's own style: a trailing slash
    config.username = credentials["role_id"]
    config.password = credentials["secret_id"]
    api = scormcloud.CourseApi(scormcloud.ApiClient(config))
    package = tmp_path / "golf.zip"
    package.write_bytes(packages.scorm2004_package())
    job = api.create_upload_and_import_course_job("golf", file=str(package)).result
    deadline = time.monotonic() + 30
    while (status := api.get_import_job_status(job)).status == "RUNNING":
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.2)
    assert status.status == "COMPLETE", status.message
    return api


def fetch(url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    if body:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_official_client_previews_a_course(course_api, live_server):
    link = course_api.build_course_preview_launch_link(
        "golf", scormcloud.PreviewLaunchLinkRequestSchema(expiry=60, redirect_on_exit_url="blank")
    ).launch_link
    versioned = course_api.build_course_preview_launch_link_with_version(
        "golf", 0, scormcloud.PreviewLaunchLinkRequestSchema()
    ).launch_link

    assert link.startswith(f"{live_server.url}/content/preview/")
    assert versioned.startswith(f"{live_server.url}/content/preview/")
    status, page = fetch(link)
    assert status == 200
    config = json.loads(
        re.search(rb'id="preview-config" type="application/json">(.*?)</script>', page, re.S)[1]
    )
    assert config["standard"] == "scorm2004" and config["exit"] == "blank"
    assert fetch(live_server.url + config["launchUrl"])[0] == 200

    # What the SCO commits is queryable through the client as xAPI statements.
    commit = {
        "standard": "scorm2004",
        "event": "terminate",
        "data": {"cmi.completion_status": "completed", "cmi.success_status": "passed"},
    }
    status, _ = fetch(live_server.url + config["runtimeUrl"], json.dumps(commit).encode())
    assert status == 200
    statements = course_api.get_course_statements("golf", learner_id="preview").statements
    verbs = {statement.verb.id.rsplit("/", 1)[1] for statement in statements}
    assert verbs == {"initialized", "completed", "passed", "terminated"}
    of_version = course_api.get_course_version_statements("golf", 0).statements
    assert {statement.id for statement in of_version} == {statement.id for statement in statements}


def test_the_client_sees_errors_as_api_exceptions(course_api):
    with pytest.raises(ApiException) as missing:
        course_api.build_course_preview_launch_link_with_version(
            "golf", 9, scormcloud.PreviewLaunchLinkRequestSchema()
        )
    with pytest.raises(ApiException) as too_long:
        course_api.build_course_preview_launch_link(
            "golf", scormcloud.PreviewLaunchLinkRequestSchema(expiry=3600)
        )

    assert missing.value.status == 404
    assert too_long.value.status == 400
    assert "expiry" in json.loads(too_long.value.body)["message"]
