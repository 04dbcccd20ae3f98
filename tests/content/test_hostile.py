"""Hostile packages: each fails its job with a message (or is a 400), writes nothing outside
the course's folder, and leaves no course behind."""

import io
import os
import zipfile

import pytest

from tests.content import packages
from vle.content.models import Course, CourseFile, CourseVersion


def stored_files(settings) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found += [os.path.relpath(os.path.join(root, name), settings.MEDIA_ROOT) for name in files]
    return found


def assert_failed_cleanly(job, settings, fragment: str):
    assert job["status"] == "ERROR", job
    assert isinstance(job["message"], str)
    assert fragment in job["message"], job["message"]
    assert not Course.objects.exists()
    assert not CourseVersion.objects.exists()
    assert not CourseFile.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("../evil.txt", "outside the package"),
        ("a/../../evil.txt", "outside the package"),
        ("..\\evil.txt", "outside the package"),
        ("/etc/evil.txt", "absolute path"),
        ("C:/evil.txt", "absolute path"),
    ],
)
@pytest.mark.django_db
def test_zip_slip_entries_fail_the_job(app, upload, settings, name, fragment):
    data = packages.zip_bytes(
        {"imsmanifest.xml": packages.scorm12_manifest(), "index.html": packages.PAGE, name: b"x"}
    )
    _, job = upload(app, "slip", data)

    assert_failed_cleanly(job, settings, fragment)
    assert not (settings.MEDIA_ROOT.parent / "evil.txt").exists()


@pytest.mark.django_db
def test_symlink_entries_fail_the_job(app, upload, settings):
    _, job = upload(app, "link", packages.zip_with_symlink("index.html", "/etc/passwd"))

    assert_failed_cleanly(job, settings, "symbolic link")


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_anything_is_written(app, upload, settings):
    settings.COURSE_IMPORT_MAX_RATIO = 50
    files = {"imsmanifest.xml": packages.scorm12_manifest(), "index.html": packages.PAGE}
    files["zeros.bin"] = b"\0" * (20 * 1024 * 1024)
    _, job = upload(app, "bomb", packages.zip_bytes(files))

    assert_failed_cleanly(job, settings, "zip bomb")


@pytest.mark.django_db
def test_total_uncompressed_size_and_entry_count_are_capped(app, upload, settings):
    settings.COURSE_IMPORT_MAX_UNCOMPRESSED_BYTES = 5000
    files = {"imsmanifest.xml": packages.scorm12_manifest(), "big.txt": b"x" * 6000}
    _, job = upload(app, "big", packages.zip_bytes(files, compression=zipfile.ZIP_STORED))
    assert_failed_cleanly(job, settings, "5000 bytes")

    settings.COURSE_IMPORT_MAX_UNCOMPRESSED_BYTES = 10**9
    settings.COURSE_IMPORT_MAX_ENTRIES = 3
    files = {f"f{n}.html": packages.PAGE for n in range(4)}
    _, job = upload(app, "many", packages.zip_bytes(files))
    assert_failed_cleanly(job, settings, "at most 3")


@pytest.mark.parametrize(
    "manifest", [packages.BILLION_LAUGHS, packages.EXTERNAL_ENTITY], ids=["laughs", "xxe"]
)
@pytest.mark.django_db
def test_xml_entities_are_refused(app, upload, settings, manifest):
    data = packages.zip_bytes({"imsmanifest.xml": manifest, "index.html": packages.PAGE})
    _, job = upload(app, "xml", data)

    assert_failed_cleanly(job, settings, "entities")


@pytest.mark.django_db
def test_deep_nesting_fails_the_job(app, upload, settings):
    data = packages.zip_bytes({"imsmanifest.xml": packages.deep_manifest(5000)})
    _, job = upload(app, "deep", data)

    assert_failed_cleanly(job, settings, "nested deeper")


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"this is not a zip at all", "not a readable zip"),
        (packages.scorm12_package()[:-40], "not a readable zip"),
        (packages.zip_bytes({"readme.txt": "hello"}), "No imsmanifest.xml"),
        (packages.zip_bytes({"imsmanifest.xml": "<manifest"}), "not well-formed"),
    ],
    ids=["garbage", "truncated", "no-manifest", "broken-xml"],
)
@pytest.mark.django_db
def test_unreadable_packages_end_as_error_jobs(app, upload, settings, data, fragment):
    _, job = upload(app, "bad", data)

    assert_failed_cleanly(job, settings, fragment)


@pytest.mark.django_db
def test_a_corrupt_entry_fails_the_job_and_removes_what_was_written(app, upload, settings):
    data = bytearray(
        packages.zip_bytes(
            {
                "imsmanifest.xml": packages.scorm12_manifest(),
                "index.html": packages.PAGE,
                "z.bin": os.urandom(4000),
            },
            compression=zipfile.ZIP_STORED,
        )
    )
    # Flip bytes inside the last entry's data: its CRC no longer matches.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("z.bin")
    start = info.header_offset + 30 + len(info.filename) + 100
    data[start : start + 8] = b"\xff" * 8
    _, job = upload(app, "crc", bytes(data))

    assert_failed_cleanly(job, settings, "corrupt")


@pytest.mark.django_db
def test_an_upload_over_the_cap_is_413_and_leaves_nothing(app, upload, settings):
    settings.COURSE_UPLOAD_MAX_BYTES = 100
    response, _ = upload(app, "huge", packages.scorm12_package())

    assert response.status_code == 413
    assert "message" in response.json()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_an_oversized_body_is_refused_before_it_is_read(app, upload, settings):
    settings.COURSE_UPLOAD_MAX_BYTES = 10
    response, _ = upload(app, "huge", os.urandom(2 * 1024 * 1024))

    assert response.status_code == 413
    assert "larger than 10 bytes" in response.json()["message"]
    assert stored_files(settings) == []
