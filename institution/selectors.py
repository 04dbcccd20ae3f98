"""Reads about institutions and their users that need more than a filter."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from institution.models import (
    InformedConsent,
    Institution,
    InstitutionUser,
    Learner,
    SENDLearner,
    UIOption,
)
from tesla.db import json_datetime, json_rows, json_value
from tesla.permissions import GLOBAL_ADMIN
from tesla.precompiled import Lookup
from tesla.principals import institution_user_of, is_global_admin, kind_of
from tesla.services import NOT_GIVEN


def institutions_visible_to(request, parents=None) -> QuerySet[Institution]:
    """Global admins reach every institution, members their own, learner tokens the
    learner's; modules reach none through the institution tree."""
    if is_global_admin(request):
        return Institution.objects.all()
    member = institution_user_of(request)
    if member is not None:
        return Institution.objects.filter(pk=member.institution_id)
    if kind_of(request.user) == "learner":
        return Institution.objects.filter(users__pk=request.user.learner.pk)
    return Institution.objects.none()


def own_institution(request, parents=None) -> Institution | None:
    """For `Parent.known`: the institution of the calling member or learner token, as
    authentication loaded it (global admins and modules have none)."""
    member = institution_user_of(request)
    if member is not None:
        return member.institution
    if kind_of(request.user) == "learner":
        return request.user.learner.institution_user.institution
    return None


def ui_routes_for(user) -> list[str]:
    """Dashboard routes a user may see: enabled global routes for everyone or for one of the
    user's roles, minus the routes their institution or they themselves have disabled."""
    member: InstitutionUser | None = getattr(user, "institution_user", None)
    if member is None and not user.is_staff:
        return []
    roles = set(member.roles if member else [])
    if user.is_staff:
        roles.add(GLOBAL_ADMIN)
    routes = []
    for option in UIOption.objects.filter(
        institution__isnull=True, user__isnull=True, enabled=True
    ):
        allowed = {role.strip() for role in (option.roles or "").split(",") if role.strip()}
        if not allowed or allowed & roles:
            routes.append(option.route)
    if member is not None:
        disabled = set(
            UIOption.objects.filter(institution_id=member.institution_id, enabled=False)
            .filter(Q(user__isnull=True) | Q(user=member))
            .values_list("route", flat=True)
        )
        routes = [route for route in routes if route not in disabled]
    return sorted(dict.fromkeys(routes))


def current_of(consents: Iterable[InformedConsent], now=None) -> InformedConsent | None:
    """The current consent among an institution's versions: the highest version whose
    `valid_from` has passed (at `now`), or None."""
    now = now or timezone.now()
    valid = (consent for consent in consents if consent.is_valid_at(now))
    return max(valid, key=lambda consent: consent.version_key, default=None)


def consents_from_rows(rows, institution_id: int) -> list[InformedConsent]:
    """Consent versions read as JSON rows (`{id, version, valid_from}`, see `tesla.db.json_rows`)
    along with another query."""
    return [
        InformedConsent(
            id=row["id"],
            institution_id=institution_id,
            version=row["version"],
            valid_from=json_datetime(row["valid_from"]),
        )
        for row in json_value(rows) or []
    ]


def current_informed_consent(institution_id: int, now=None) -> InformedConsent | None:
    """The institution's current consent: the highest version already valid, or None."""
    return current_of(_CONSENTS_OF.all(institution_id=institution_id), now)


# Every session opened and every consent judged alone reads them: the SQL is compiled once.
# An institution has a handful of versions; which are valid yet is `current_of`'s to say.
_CONSENTS_OF = Lookup(
    InformedConsent,
    lambda institution_id: InformedConsent.objects.filter(institution_id=institution_id),
    institution_id=-1,
)


def consent_status(consent: InformedConsent, current: InformedConsent | None, now=None) -> str:
    """NOT_VALID_YET before valid_from; VALID for the current version; VALID_NEED_UPDATE when
    only the patch number differs from the current version; NOT_VALID otherwise."""
    now = now or timezone.now()
    if not consent.is_valid_at(now):
        return "NOT_VALID_YET"
    if current is None:
        return "NOT_VALID"
    if consent.pk == current.pk:
        return "VALID"
    if consent.version_key[:2] == current.version_key[:2]:
        return "VALID_NEED_UPDATE"
    return "NOT_VALID"


def learner_ic_status(learner: Learner, current: Any = NOT_GIVEN, now=None) -> str:
    """VALID_EXTERNAL when the institution handles consent itself; NOT_VALID_REJECTED after a
    rejection; NOT_VALID_MISSING without consent; else the status of the accepted version.
    Callers treat anything starting with VALID as consented.

    `current` is the institution's current consent (None when it has none); lists look it up
    once and pass it, to avoid one query per learner. Left `NOT_GIVEN`, it is looked up."""
    institution = learner.institution_user.institution
    if institution.external_ic:
        return "VALID_EXTERNAL"
    if learner.consent_rejected is not None:
        return "NOT_VALID_REJECTED"
    consent = learner.consent
    if consent is None:
        return "NOT_VALID_MISSING"
    if current is NOT_GIVEN:
        current = current_informed_consent(institution.pk, now)
    return consent_status(consent, current, now)


def _send_assignments(learner: Learner) -> list[tuple]:
    """(expires_at, category data) of each of the learner's SEND assignments: from the
    `send_rows` annotation of `with_learner_details` when present, else from
    `learner.send_assignments` (prefetch it with its category for lists)."""
    rows = getattr(learner, "send_rows", NOT_GIVEN)
    if rows is NOT_GIVEN:
        return [
            (assignment.expires_at, assignment.category.data)
            for assignment in learner.send_assignments.all()
        ]
    return [(json_datetime(row["expires_at"]), json_value(row["data"])) for row in rows or []]


def learner_send(learner: Learner, now=None) -> dict:
    """The learner's special needs: the union of their unexpired SEND assignments.

    `{"is_send": bool, "send": {"enabled_options": [...], "disabled_instruments": [...]}}`."""
    now = now or timezone.now()
    options: set[str] = set()
    disabled: set[int] = set()
    active = False
    for expires_at, data in _send_assignments(learner):
        if expires_at is not None and expires_at < now:
            continue
        active = True
        data = data or {}
        options.update(data.get("enabled_options") or [])
        disabled.update(data.get("disabled_instruments") or [])
    return {
        "is_send": active,
        "send": {"enabled_options": sorted(options), "disabled_instruments": sorted(disabled)},
    }


def member_summary(member: InstitutionUser) -> dict[str, Any]:
    """A person's membership as profiles and the admin user API show it (select the
    institution, learner and instructor with the member)."""
    return {
        "id": member.institution_id,
        "acronym": member.institution.acronym,
        "uid": member.uid,
        "roles": member.roles,
        "locale": member.locale,
    }


def global_ui_routes() -> set[str]:
    """Routes defined by the global UI options (no institution, no user)."""
    return set(
        UIOption.objects.filter(institution__isnull=True, user__isnull=True).values_list(
            "route", flat=True
        )
    )


def with_learner_details(learners: QuerySet[Learner]) -> QuerySet[Learner]:
    """`learners` with what a learner's representation reads (person, institution, accepted
    consent, SEND assignments with their categories), in the one query that reads them."""
    return learners.select_related(
        "institution_user__user", "institution_user__institution", "consent"
    ).annotate(
        send_rows=json_rows(
            SENDLearner.objects.all(), "learner", expires_at="expires_at", data="category__data"
        )
    )


def learners_of(institution: Institution) -> QuerySet[Learner]:
    """The institution's learners with what their API representation reads."""
    return with_learner_details(Learner.objects.filter(institution_user__institution=institution))
