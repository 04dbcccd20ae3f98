"""The URL parents of the institution tree (/api/v2/institution/{i}/...), declared once: every
view nested under an institution, in any app, takes its chain from here."""

from institution.models import InformedConsent, InstitutionUser, Learner
from institution.selectors import institutions_visible_to, own_institution
from tesla.viewsets import Parent, grants_self

INSTITUTION = Parent(
    "institution", "institution_pk", institutions_visible_to, known=own_institution
)
INFORMED_CONSENT = Parent(
    "ic",
    "ic_pk",
    lambda request, p: InformedConsent.objects.filter(institution=p["institution"]),
)
# A learner of the institution; the learner themself holds SELF under it.
LEARNER = Parent(
    "learner",
    "learner_pk",
    lambda request, p: Learner.objects.filter(
        institution_user__institution=p["institution"]
    ).select_related("institution_user"),
    grants=grants_self,
)
# A person of the institution; the person themself holds SELF under it.
USER = Parent(
    "user",
    "user_pk",
    lambda request, p: InstitutionUser.objects.filter(institution=p["institution"]),
    grants=grants_self,
)

INSTITUTION_PARENTS = (INSTITUTION,)
IC_PARENTS = (INSTITUTION, INFORMED_CONSENT)
LEARNER_PARENTS = (INSTITUTION, LEARNER)
USER_PARENTS = (INSTITUTION, USER)
