"""The five public packages in ../shared/content-packages/ (one per standard) import with the
title and launch their README documents. Skipped where that folder is absent; the packages are
never copied into this repository."""

from pathlib import Path

import pytest

from tests.content.conftest import COURSES

FOLDER = Path(__file__).resolve().parents[3] / "shared" / "content-packages"
if not FOLDER.is_dir():
    FOLDER = Path("/work/shared/content-packages")

EXPECTED = [
    (
        "scorm12_golf_cp_single_sco.zip",
        "SCORM12",
        "Golf Explained - CP Single SCO",
        "shared/launchpage.html",
    ),
    (
        "scorm2004_3rd_golf_runtime_advanced_calls.zip",
        "SCORM20043RDEDITION",
        "Golf Explained - Run-time Advanced Calls",
        "shared/launchpage.html",
    ),
    (
        "cmi5_catapult_lts_001_essentials.zip",
        "CMI5",
        "CATAPULT LMS Test Course: 001 Essentials",
        "index.html?paramA=1&paramB=2",
    ),
    ("xapi_tincan_golf_example.zip", "XAPI", "Tin Can Golf Example", "index.html"),
    (
        "aicc_universitysite_testing_tool.zip",
        "AICC",
        "UniversitySite AICC Testing Tool",
        "default.htm",
    ),
]


def first_launch(activity: dict) -> str:
    pending = [activity]
    while pending:
        node = pending.pop(0)
        if node["activityType"] != "AGGREGATION" and node["href"]:
            return node["href"]
        pending[:0] = node["children"]
    return ""


@pytest.mark.skipif(not FOLDER.is_dir(), reason="shared/content-packages is not available")
@pytest.mark.parametrize("filename, standard, title, launch", EXPECTED)
@pytest.mark.django_db
def test_real_packages_import(app, upload, filename, standard, title, launch):
    data = (FOLDER / filename).read_bytes()

    _, job = upload(app, filename.split(".")[0], data, filename=filename)

    assert job["status"] == "COMPLETE", job
    course = job["importResult"]["course"]
    assert course["courseLearningStandard"] == standard
    assert course["title"] == title
    assert first_launch(course["rootActivity"]) == launch
    listed = app.get(f"{COURSES}/{course['id']}").json()
    assert listed["courseLearningStandard"] == standard
