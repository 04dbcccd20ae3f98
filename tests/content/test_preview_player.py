"""The preview player: opening a link, the course files under the session's prefix, and the
SCORM runtime's commits becoming statements."""

import json
import re
import time

import pytest
from django.urls import reverse

from tests.content.preview_versions import stored_version
from vle.content.models import PreviewSession
from vle.content.preview import PlayerOptions, preview_link_make

pytestmark = pytest.mark.django_db

SCO = "<!DOCTYPE html><html><body><script src='js/sco.js'></script>Hello</body></html>"


def open_player(client, version, **options):
    link = preview_link_make(version=version, expiry=120, options=PlayerOptions(**options))
    return client.get(link), link


def player_config(response) -> dict:
    match = re.search(
        r'<script id="preview-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match[1])


@pytest.fixture
def scorm2004(vle):
    return stored_version(
        vle,
        standard="SCORM20043RDEDITION",
        files={
            "shared/index.html": SCO,
            "shared/js/sco.js": "window.loaded = true;",
            "shared/style.css": "body { color: red }",
            "shared/Images/Logo.PNG": b"\x89PNG\r\n",
        },
        launch_path="shared/index.html?lesson=2#top",
    )


def test_a_link_opens_the_player_framing_the_launch_file(client, scorm2004):
    response, _ = open_player(client, scorm2004)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"
    assert "X-Frame-Options" not in response  # LMSs embed previews
    config = player_config(response)
    assert config["standard"] == "scorm2004"
    assert config["title"] == scorm2004.title
    session = PreviewSession.objects.get()
    assert session.version == scorm2004
    assert re.fullmatch(
        r"/content/preview/[^/]+/files/shared/index\.html\?lesson=2#top", config["launchUrl"]
    )
    assert config["runtimeUrl"].startswith("/content/preview/")
    assert "/static/content/runtime.js" in response.content.decode()


def test_each_opening_is_its_own_session(client, scorm2004):
    link = preview_link_make(version=scorm2004, expiry=120, options=PlayerOptions())
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    assert PreviewSession.objects.count() == 2


def test_a_forged_or_damaged_link_is_404(client, scorm2004):
    _, link = open_player(client, scorm2004)
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = reverse("content-preview-player", kwargs={"token": token[:-3] + "abc"})

    assert client.get(forged).status_code == 404
    assert client.get("/content/preview/not-a-token/").status_code == 404


def test_an_expired_link_is_410(client, scorm2004, monkeypatch):
    link = preview_link_make(version=scorm2004, expiry=10, options=PlayerOptions())
    later = time.time() + 11
    monkeypatch.setattr("tesla.signing.time.time", lambda: later)

    response = client.get(link)

    assert response.status_code == 410
    assert b"expired" in response.content
    assert not PreviewSession.objects.exists()


def test_a_link_to_a_deleted_version_is_404(client, scorm2004):
    link = preview_link_make(version=scorm2004, expiry=120, options=PlayerOptions())
    scorm2004.delete()

    assert client.get(link).status_code == 404


def test_the_player_only_answers_get(client, scorm2004):
    link = preview_link_make(version=scorm2004, expiry=120, options=PlayerOptions())
    assert client.post(link).status_code == 405


def test_exit_css_and_culture_reach_the_page(client, scorm2004):
    response, _ = open_player(
        client,
        scorm2004,
        redirect_on_exit_url="https://lms.example.org/done",
        css_url="https://lms.example.org/player.css",
        culture="fr-FR",
    )
    body = response.content.decode()

    assert player_config(response)["exit"] == "https://lms.example.org/done"
    assert '<link rel="stylesheet" href="https://lms.example.org/player.css">' in body
    assert '<html lang="fr-FR">' in body


# --- Files --------------------------------------------------------------------------------


@pytest.fixture
def files_base(client, scorm2004):
    response, _ = open_player(client, scorm2004)
    return player_config(response)["launchUrl"].split("/files/")[0] + "/files/"


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("shared/index.html", "text/html; charset=utf-8", SCO.encode()),
        ("shared/js/sco.js", "text/javascript; charset=utf-8", b"window.loaded = true;"),
        ("shared/style.css", "text/css; charset=utf-8", b"body { color: red }"),
        ("shared/Images/Logo.PNG", "image/png", b"\x89PNG\r\n"),
        ("shared/images/logo.png", "image/png", b"\x89PNG\r\n"),  # case-insensitive fallback
    ],
)
def test_files_are_served_from_storage_with_their_type(
    client, files_base, path, content_type, body
):
    response = client.get(files_base + path)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert b"".join(response.streaming_content) == body
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path",
    [
        "shared/missing.html",
        "shared/../shared/index.html",
        "shared/%2e%2e/shared/index.html",
        "..%2F..%2Fsettings.py",
        "shared//index.html",
        "shared/./index.html",
        "%2Fetc%2Fpasswd",
        "shared\\index.html",
        "shared/",
    ],
)
def test_paths_outside_the_stored_files_are_404(client, files_base, path):
    response = client.get(files_base + path)

    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_files_of_another_version_are_not_reachable(client, vle, files_base, scorm2004):
    other = stored_version(vle, standard="SCORM12", files={"secret.html": "other course"})
    relative = "../" * 6 + other.storage_folder + "/secret.html"

    assert client.get(files_base + "secret.html").status_code == 404
    assert client.get(files_base + relative).status_code == 404


def test_a_forged_session_token_reaches_no_file(client, files_base):
    token = files_base.split("/")[3]
    assert (
        client.get(files_base.replace(token, token[:-2] + "xx") + "shared/index.html").status_code
        == 404
    )


def test_files_stop_when_the_session_ends(client, files_base):
    PreviewSession.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.get(files_base + "shared/index.html").status_code == 404


def test_files_only_answer_get(client, files_base):
    assert client.post(files_base + "shared/index.html").status_code == 405


def test_a_file_missing_from_storage_is_404(client, files_base, scorm2004):
    from django.core.files.storage import default_storage

    default_storage.delete(f"{scorm2004.storage_folder}/shared/index.html")
    assert client.get(files_base + "shared/index.html").status_code == 404


def test_the_player_follows_the_versions_settings(client, scorm2004):
    from vle.content.models import CourseSetting

    CourseSetting.objects.create(
        course=scorm2004.course, setting_id="PlayerShowNavBar", value="false"
    )
    CourseSetting.objects.create(
        course=scorm2004.course, version=scorm2004, setting_id="PlayerExitMessage", value="Bye!"
    )
    CourseSetting.objects.create(
        course=scorm2004.course, setting_id="PlayerCommCommitFrequency", value="5000"
    )

    response, _ = open_player(client, scorm2004)
    body = response.content.decode()

    assert '<header class="preview-bar" hidden>' in body
    assert ">Bye!</p>" in body
    assert player_config(response)["commitEvery"] == 5000


def test_serving_a_file_costs_a_fixed_number_of_queries(
    client, files_base, django_assert_max_num_queries
):
    # The session and the file's row, inside the request's savepoint (and its release).
    with django_assert_max_num_queries(4):
        response = client.get(files_base + "shared/js/sco.js")
    assert response.status_code == 200
