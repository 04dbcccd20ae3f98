"""Serializer cost per row on the hot lists, measured in-process on the benchmark database:
the rows are loaded once (as the list views load them), then serialised repeatedly; the time
is CPU time per row, the database excluded.

It runs in a process of its own (`python -m benchmarks.rows`), as a worker serialises: in the
load benchmark's process, whose heap holds every request of the run, the garbage collector's
passes over that heap would be counted as the serializers' cost (about 2.5x)."""

import json
import os
import sys
import time

ROWS = 500
REPEAT = 15


def _per_row_us(serialize, rows) -> float:
    serialize(rows)  # warm up (field construction, imports)
    best = float("inf")
    for _ in range(REPEAT):
        started = time.process_time()
        serialize(rows)
        best = min(best, time.process_time() - started)
    return best * 1e6 / max(len(rows), 1)


def measure(institution_id: int, vle_id: int) -> dict[str, float]:
    from django.test import RequestFactory
    from rest_framework.request import Request

    from institution.api.serializers import InstitutionLearnerSerializer
    from institution.models import Institution
    from institution.selectors import current_informed_consent, learners_of
    from reports.api.serializers import InstitutionCourseActivityReportSerializer
    from reports.models import ReportActivity
    from reports.selectors import activity_reports
    from vle.api.serializers import InstitutionCourseSerializer
    from vle.api.vle_serializers import VLECourseSerializer
    from vle.models import VLE, Course
    from vle.parents import with_enabled_flag
    from vle.selectors import courses_of_institution

    request = Request(RequestFactory().get("/", HTTP_HOST="127.0.0.1"))
    institution = Institution.objects.get(pk=institution_id)
    vle = VLE.objects.select_related("institution").get(pk=vle_id)
    consent = current_informed_consent(institution_id)
    learners = list(learners_of(institution).order_by("pk")[:ROWS])
    vle_courses = list(with_enabled_flag(Course.objects.filter(vle=vle)).order_by("pk")[:ROWS])
    courses = list(
        courses_of_institution(institution=institution, person=None, own_only=False).order_by("pk")[
            :ROWS
        ]
    )
    busiest = (
        ReportActivity.objects.filter(activity__vle__institution=institution)
        .values_list("activity_id", flat=True)
        .first()
    )
    reports = (
        list(
            activity_reports(
                activity=ReportActivity.objects.filter(activity_id=busiest).first().activity
            )
        )
        if busiest
        else []
    )

    def context(**extra):
        return {"request": request, "parents": {"institution": institution, "vle": vle}, **extra}

    return {
        "learner (institution learner list)": _per_row_us(
            lambda rows: (
                InstitutionLearnerSerializer(
                    rows, many=True, context=context(current_consent=consent)
                ).data
            ),
            learners,
        ),
        "course (VLE course list)": _per_row_us(
            lambda rows: VLECourseSerializer(rows, many=True, context=context()).data, vle_courses
        ),
        "course (institution course list)": _per_row_us(
            lambda rows: InstitutionCourseSerializer(rows, many=True, context=context()).data,
            courses,
        ),
        "report (activity report list)": _per_row_us(
            lambda rows: (
                InstitutionCourseActivityReportSerializer(rows, many=True, context=context()).data
            ),
            reports,
        ),
    }


def measure_apart(env: dict, institution_id: int, vle_id: int) -> dict[str, float]:
    """`measure` in a fresh process on `env`'s database."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.rows", str(institution_id), str(vle_id)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")
    import django

    django.setup()
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]))))
