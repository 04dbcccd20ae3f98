"""The URL parents of the reports app, declared once; its views take their chains from here
(and the institution and VLE chains from `institution.parents` and `vle.parents`).

- Institution tree: an activity with its course (one query), which grants the caller's course
  roles and, to a learner of the course, LEARNER_REPORT / LEARNER_AUDIT when the institution
  lets learners read their reports (and audits); a report of that activity.
- VLE tree: the learner of an attachment (by UUID, among the course's learners) and the
  learner of a request list (a learner of the course or one with requests in the activity).
- Provider tree: the caller's own provider, a learner by UUID, one of their samples.
- LAPI: the institution and the learner of a sample.
"""

from django.db.models import Q, QuerySet

from institution.models import Institution, Learner
from institution.parents import INSTITUTION
from institution.selectors import institutions_visible_to
from reports.models import EnrolmentSample, Provider, ReportActivity, Request
from tesla.permissions import ADMIN, COURSE_INSTRUCTOR, COURSE_LEARNER, DATA, GLOBAL_ADMIN
from tesla.principals import caller_module, kind_of, module_of
from tesla.viewsets import Parent, grants_self
from vle.models import Activity
from vle.parents import ACTIVITY_PARENTS, course_roles

# Institution tree ---------------------------------------------------------------------------

# Who reads every report of a course (others: their own report, if the institution allows).
REPORT_READERS = frozenset({GLOBAL_ADMIN, ADMIN, DATA, COURSE_INSTRUCTOR})
# A learner of the course, in an institution that lets learners read their own report (and,
# with LEARNER_AUDIT, its audit trails).
LEARNER_REPORT = "LEARNER_REPORT"
LEARNER_AUDIT = "LEARNER_AUDIT"


def report_roles(request, obj, parents) -> set[str]:
    """For `Parent.grants`: the caller's course roles, and what the institution's switches
    let a learner of the course read."""
    roles = course_roles(request, obj, parents)
    institution: Institution = parents["institution"]
    if COURSE_LEARNER in roles and institution.allow_learner_report:
        roles.add(LEARNER_REPORT)
        if institution.allow_learner_audit:
            roles.add(LEARNER_AUDIT)
    return roles


# The activity and its course in one query: the course must be the URL's and the institution's.
ACTIVITY = Parent(
    "activity",
    "activity_pk",
    lambda request, p: Activity.objects.filter(
        course__vle__institution=p["institution"]
    ).select_related("course"),
    carries=("course", "course_pk", "course"),
    grants=report_roles,
)
# A learner of the course reaches only their own report (another's is a 404 to them); callers
# with no reading role at all get the role check's 403.
REPORT = Parent(
    "report",
    "report_pk",
    lambda request, p: ReportActivity.objects.filter(activity=p["activity"]),
    own_field="learner_id",
    sees_all=REPORT_READERS,
    narrows=frozenset({COURSE_LEARNER}),
)
ACTIVITY_CHAIN = (INSTITUTION, ACTIVITY)
REPORT_CHAIN = (INSTITUTION, ACTIVITY, REPORT)

# VLE tree -----------------------------------------------------------------------------------

# The learner by public UUID, among the course's learners only.
ATTACHMENT_PARENTS = (
    *ACTIVITY_PARENTS,
    Parent(
        "learner",
        "learner_id",
        lambda request, p: p["course"].learners.select_related(
            "institution_user__institution", "consent"
        ),
        field="learner_id",
    ),
)
# A learner of the course, or one with requests in the activity (who may have left it).
REQUEST_PARENTS = (
    *ACTIVITY_PARENTS,
    Parent(
        "learner",
        "learner_pk",
        lambda request, p: Learner.objects.filter(
            Q(courses=p["course"])
            | Q(pk__in=Request.objects.filter(activity=p["activity"]).values("learner_id"))
        ).distinct(),
    ),
)

# Provider tree ------------------------------------------------------------------------------


def providers_of_caller(request, parents=None) -> QuerySet[Provider]:
    """The calling provider's own record (nothing for any other caller)."""
    provider = module_of(request, "provider")
    return Provider.objects.filter(pk=provider.pk if provider is not None else None)


PROVIDER = Parent("provider", "provider_pk", providers_of_caller, known=caller_module("provider"))
PROVIDER_PARENTS = (PROVIDER,)
# Providers serve every institution: any learner, by UUID (a malformed one is the view's 404).
PROVIDER_LEARNER_PARENTS = (
    PROVIDER,
    Parent(
        "learner",
        "learner_id",
        lambda request, p: Learner.objects.select_related("institution_user"),
        field="learner_id",
    ),
)
PROVIDER_SAMPLE_PARENTS = (
    *PROVIDER_LEARNER_PARENTS,
    Parent(
        "sample",
        "sample_pk",
        lambda request, p: EnrolmentSample.objects.filter(learner=p["learner"]),
    ),
)

# LAPI ---------------------------------------------------------------------------------------


def lapi_institutions(request, parents) -> QuerySet[Institution]:
    """A VLE reaches its own institution, a learner token the learner's, users theirs."""
    if kind_of(request.user) == "vle":
        return Institution.objects.filter(pk=module_of(request, "vle").institution_id)
    return institutions_visible_to(request, parents)


# The learner themself (session or user token) holds SELF under the learner parent.
LAPI_PARENTS = (
    Parent("institution", "institution_pk", lapi_institutions),
    Parent(
        "learner",
        "learner_id",
        lambda request, p: Learner.objects.filter(
            institution_user__institution=p["institution"]
        ).select_related("institution_user__institution", "consent"),
        field="learner_id",
        grants=grants_self,
    ),
)
