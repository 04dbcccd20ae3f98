"""Where a verification request's payload is stored."""

import json

from tests.reports.conftest import submit


def test_payload_key_keeps_the_whole_layout_with_a_long_filename(
    consenting_learner, configured_activity, plag_provider
):
    request = submit(
        consenting_learner,
        configured_activity,
        [5],
        metadata={"mimetype": "application/zip", "filename": "x" * 200 + ".zip"},
    )

    name = request.data.name
    institution_id = consenting_learner.institution_user.institution_id
    assert name.startswith(
        f"{institution_id}/requests/{consenting_learner.learner_id}/"
        f"{configured_activity.course_id}/{configured_activity.pk}/documents/"
    )
    stamp, filename = name.rsplit("/", 1)[1].split("_", 1)
    assert stamp.isdigit() and len(stamp) == 20
    assert filename.endswith(".json") and filename.startswith("xxxx")
    with request.data.open() as stored:
        assert json.load(stored)["data"] == "sample"
