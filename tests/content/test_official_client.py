"""The official SCORM Cloud Python client (`rustici-software-cloud-v2` 5.0.0), unchanged,
against a live server: import, poll, list, get, versions, title, configuration, tags,
statements, assets, delete. Its host is `<server>/api/v2/` with the trailing slash of the
client's own default, so it sends `//courses` paths."""

import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

rustici = pytest.importorskip("rustici_software_cloud_v2")
from rustici_software_cloud_v2 import models  # noqa: E402
from rustici_software_cloud_v2.rest import ApiException  # noqa: E402

from tests.content import packages  # noqa: E402
from tests.content.httpserver import Site  # noqa: E402
from vle.content.models import Course  # noqa: E402
from vle.content.services import statement_record  # noqa: E402


def client_for(live_server, credentials, token: str = ""):
    configuration = rustici.Configuration()
    configuration.host = f"{live_server.url}/api/v2/"
    configuration.username = credentials["role_id"]
    configuration.password = credentials["secret_id"]
    configuration.access_token = token
    return rustici.ApiClient(configuration=configuration)


def wait_for(course_api, job_id: str):
    status = course_api.get_import_job_status(job_id)
    for _ in range(100):
        if status.status != "RUNNING":
            break
        status = course_api.get_import_job_status(job_id)
    return status


@pytest.mark.django_db(transaction=True)
def test_the_official_client_runs_the_whole_course_flow(
    short_lived_connections, live_server, vle, tmp_path, settings
):
    settings.COURSE_LIST_PAGE_SIZE = 1
    settings.COURSE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    credentials = vle.issue_credentials()
    basic = client_for(live_server, credentials)
    course_api = rustici.CourseApi(basic)
    package = tmp_path / "golf.zip"
    package.write_bytes(packages.scorm2004_package("4th"))

    # A scoped bearer token from the client's own token call.
    token = rustici.AuthenticationApi(basic).get_app_token(
        "read:course write:course delete:course read:registration", expiration=300
    )
    assert token.expires_in == 300
    scoped = rustici.CourseApi(client_for(live_server, credentials, token.access_token))
    managed = rustici.ApplicationManagementApi(basic).create_token(
        models.TokenRequestSchema(
            permissions=models.PermissionsSchema(scopes=["read:course"]),
            expiry=datetime.now(UTC) + timedelta(minutes=5),
        )
    )
    reader = rustici.CourseApi(client_for(live_server, credentials, managed.result))

    # Import and poll.
    job_id = course_api.create_upload_and_import_course_job(
        "golf", file=str(package), may_create_new_version=False, tags=["sport", "intro"]
    ).result
    status = wait_for(course_api, job_id)
    assert status.status == "COMPLETE", status.message
    assert status.import_result.course.course_learning_standard == "SCORM20044THEDITION"
    assert status.import_result.parser_warnings == []
    with pytest.raises(ApiException) as conflict:
        course_api.create_upload_and_import_course_job("golf", file=str(package))
    assert conflict.value.status == 409

    site = Site()
    try:
        site.routes["/cmi5.zip"] = (200, {}, packages.cmi5_package())
        site.routes["/logo.png"] = (200, {}, b"\x89PNG")
        fetched = scoped.create_fetch_and_import_course_job(
            "cmi5", models.ImportFetchRequestSchema(url=f"{site.base}/cmi5.zip")
        ).result
        assert wait_for(scoped, fetched).status == "COMPLETE"

        # List with paging (one course a page) and the total count.
        response = reader.get_courses_with_http_info(include_total_count=True)
        page, _, headers = response
        assert headers["X-Total-Count"] == "2"
        ids = [course.id for course in page.courses]
        while page.more is not None:
            page = reader.get_courses(more=page.more)
            ids += [course.id for course in page.courses]
        assert ids == ["cmi5", "golf"]
        assert [c.id for c in reader.get_courses(tags=["intro", "none"]).courses] == ["golf"]

        # Get, new version, versions.
        course = reader.get_course("golf", include_course_metadata=True)
        assert course.root_activity.children[0].children[0].href.startswith("course/content/sco/")
        assert course.metadata.keywords == ["golf"]
        job_id = course_api.create_upload_and_import_course_job(
            "golf", file=str(package), may_create_new_version=True
        ).result
        assert wait_for(course_api, job_id).status == "COMPLETE"
        versions = reader.get_course_versions("golf").courses
        assert [v.version for v in versions] == [0, 1]
        assert reader.get_course_version_info("golf", 1).version == 1

        # Title.
        scoped.set_course_title("golf", models.TitleSchema(title="Golf, revised"))
        assert reader.get_course("golf").title == "Golf, revised"

        # Configuration at both levels.
        scoped.set_course_configuration(
            "golf",
            models.SettingsPostSchema(
                settings=[
                    models.SettingsIndividualSchema(setting_id="PlayerShowNavBar", value="false")
                ]
            ),
        )
        items = reader.get_course_configuration("golf", include_metadata=True).setting_items
        nav = next(item for item in items if item.id == "PlayerShowNavBar")
        assert (nav.effective_value, nav.effective_value_source) == ("false", "course")
        assert nav.metadata.default == "true"
        scoped.set_course_version_configuration(
            "golf",
            1,
            models.SettingsPostSchema(
                settings=[
                    models.SettingsIndividualSchema(setting_id="PlayerShowNavBar", value="true")
                ]
            ),
        )
        items = reader.get_course_version_configuration("golf", 1).setting_items
        assert next(i for i in items if i.id == "PlayerShowNavBar").explicit_value == "true"
        scoped.delete_course_version_configuration_setting("golf", 1, "PlayerShowNavBar")
        scoped.delete_course_configuration_setting("golf", "PlayerShowNavBar")
        items = reader.get_course_configuration("golf").setting_items
        nav = next(item for item in items if item.id == "PlayerShowNavBar")
        assert nav.effective_value_source == "default"

        # Tags.
        scoped.put_course_tags("golf", models.TagListSchema(tags=["a", "b"]))
        scoped.delete_course_tags("golf", models.TagListSchema(tags=["a"]))
        scoped.put_course_tags_batch(models.BatchTagsSchema(ids=["golf", "cmi5"], tags=["all"]))
        assert sorted(reader.get_course_tags("golf").tags) == ["all", "b"]
        assert reader.get_course_tags("cmi5").tags == ["all"]

        # Preview: links to the course and to a version open without credentials.
        course_link = reader.build_course_preview_launch_link(
            "golf", models.PreviewLaunchLinkRequestSchema(expiry=60)
        ).launch_link
        version_link = reader.build_course_preview_launch_link_with_version(
            "golf", 0, models.PreviewLaunchLinkRequestSchema()
        ).launch_link
        for link in (course_link, version_link):
            assert link.startswith(f"{live_server.url}/content/preview/")
            with urllib.request.urlopen(link, timeout=10) as player:
                assert player.status == 200
                assert b'id="preview-content"' in player.read()

        # Statements recorded for the course, read back through the client's models.
        stored = Course.objects.get(vle=vle, course_id="golf")
        for learner in ("ann", "bob"):
            statement_record(
                course=stored,
                version=stored.versions.get(version=1),
                statement={
                    "actor": {
                        "objectType": "Agent",
                        "account": {"homePage": "https://vle", "name": learner},
                    },
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                    "object": {"objectType": "Activity", "id": "https://example.org/golf"},
                },
            )
        result = reader.get_course_statements("golf", learner_id="bob")
        assert len(result.statements) == 1
        assert result.statements[0].object_activity.id == "https://example.org/golf"
        assert result.statements[0].actor.account.name == "bob"
        assert result.more is None
        assert len(reader.get_course_version_statements("golf", 1).statements) == 2
        assert reader.get_course_version_statements("golf", 0).statements == []

        # Assets: upload and import, with policies.
        asset = tmp_path / "extra.html"
        asset.write_bytes(b"<p>extra</p>")
        uploaded = course_api.upload_course_asset_file(
            "golf", "/extras/extra.html", file=str(asset), update_asset_policy="reject"
        )
        assert uploaded.destination == "extras/extra.html"
        imported = course_api.import_course_version_asset_file(
            "golf",
            0,
            models.ImportAssetRequestSchema(
                fetch_url=f"{site.base}/logo.png", destination="logo.png"
            ),
        )
        assert imported.filename == "logo.png"
        listed = {item.path: item.size for item in reader.get_course_file_list("golf").files}
        assert listed["extras/extra.html"] == len(b"<p>extra</p>")
        assert "logo.png" in {f.path for f in reader.get_course_version_file_list("golf", 0).files}
        downloaded = reader.get_course_asset("golf", "extras/extra.html")
        with open(downloaded, "rb") as handle:
            assert handle.read() == b"<p>extra</p>"
        zipped = reader.get_versioned_course_zip("golf", 1)
        with zipfile.ZipFile(zipped) as archive:
            assert "extras/extra.html" in archive.namelist()
            assert "imsmanifest.xml" in archive.namelist()
        scoped.delete_course_asset("golf", "extras/extra.html")
        assert "extras/extra.html" not in {
            f.path for f in reader.get_course_file_list("golf").files
        }
        with pytest.raises(ApiException) as rejected:
            course_api.upload_course_asset_file(
                "golf", "imsmanifest.xml", file=str(asset), update_asset_policy="reject"
            )
        assert rejected.value.status == 400
    finally:
        site.close()

    # A read-only token cannot delete; deleting versions, then the course.
    with pytest.raises(ApiException) as forbidden:
        reader.delete_course("golf")
    assert forbidden.value.status == 403
    scoped.delete_course_version("golf", 0)
    assert [v.version for v in reader.get_course_versions("golf").courses] == [1]
    scoped.delete_course("golf")
    with pytest.raises(ApiException) as missing:
        reader.get_course("golf")
    assert missing.value.status == 404
