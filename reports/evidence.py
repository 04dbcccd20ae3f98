"""What verification evidence is, for `tesla.deletion`: the rows a deletion of an
institution, VLE, course, activity, learner or user would destroy, and the sample files that
go with requests."""

from django.db.models import Model, Q

from institution.models import Institution, InstitutionUser, Learner, User
from reports.models import (
    Enrolment,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    ReportActivity,
    Request,
    RequestResult,
)
from tesla.deletion import delete_files_with_rows, register_evidence_counter
from vle.models import VLE, Activity, Course

# kind of evidence -> (model, path to its learner, path to its activity); None: not owned so
EVIDENCE = (
    ("requests", Request, "learner", "activity"),
    ("results", RequestResult, "request__learner", "request__activity"),
    ("reports", ReportActivity, "learner", "activity"),
    ("enrolments", Enrolment, "learner", None),
    ("histograms", HistogramLearnerInstrument, "learner", None),
    ("histograms", HistogramLearnerProvider, "learner", None),
    ("histograms", HistogramActivityInstrument, None, "activity"),
    ("histograms", HistogramActivityProvider, None, "activity"),
)


def _owned_by(owner: Model, learner: str | None, activity: str | None) -> Q | None:
    """The condition selecting evidence rows of `owner`, or None when it owns none of them."""
    conditions = []
    if isinstance(owner, Institution):
        if learner:
            conditions.append(Q(**{f"{learner}__institution_user__institution": owner}))
        if activity:
            conditions.append(Q(**{f"{activity}__vle__institution": owner}))
    elif isinstance(owner, VLE) and activity:
        conditions.append(Q(**{f"{activity}__vle": owner}))
    elif isinstance(owner, Course) and activity:
        conditions.append(Q(**{f"{activity}__course": owner}))
    elif isinstance(owner, Activity) and activity:
        conditions.append(Q(**{activity: owner}))
    elif isinstance(owner, Learner | InstitutionUser | User) and learner:
        # A person has one id across user, membership and learner.
        conditions.append(Q(**{f"{learner}_id": owner.pk}))
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def count_evidence(owner: Model) -> dict[str, int]:
    owned: dict[str, int] = {}
    for kind, model, learner, activity in EVIDENCE:
        condition = _owned_by(owner, learner, activity)
        if condition is not None:
            owned[kind] = owned.get(kind, 0) + model.objects.filter(condition).count()
    return owned


def register() -> None:
    register_evidence_counter(count_evidence)
    # A request's sample goes with the request, also when a cascade deletes it.
    delete_files_with_rows(Request, "data")
