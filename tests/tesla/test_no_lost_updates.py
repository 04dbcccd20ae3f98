"""Item 5 of the security pass: concurrent PATCHes of different fields of one object both
persist, on every object the pass found saving whole rows. Real threads, each with its own
connection and request transaction, against PostgreSQL."""

import pytest
from django.db import connection
from django.utils import timezone

from institution.models import InformedConsent, InformedConsentDocument, UIOption
from tests import factories
from tests.vle_tree.test_concurrency import run_concurrently
from vle.models import ActivityInstrument

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]
TRIALS = 10


def both_persist(client_a, client_b, url, body_a, body_b, reload, expected):
    for trial in range(TRIALS):
        outcomes = run_concurrently(
            [
                lambda trial=trial: client_a.patch(url, body_a(trial), format="json"),
                lambda trial=trial: client_b.patch(url, body_b(trial), format="json"),
            ]
        )
        assert outcomes == [200, 200], outcomes
        assert reload() == expected(trial), f"trial {trial} lost a change"


def test_activity_instrument_settings(vle, course, activity):
    row = ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
    url = f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/{activity.pk}/instrument/{row.pk}/"
    both_persist(
        factories.client_for(vle),
        factories.client_for(vle),
        url,
        lambda trial: {"active": trial % 2 == 0},
        lambda trial: {"options": {"offline": trial % 2 == 1}},
        lambda: (lambda fresh: (fresh.active, fresh.options))(
            ActivityInstrument.objects.get(pk=row.pk)
        ),
        lambda trial: (trial % 2 == 0, {"offline": trial % 2 == 1}),
    )


def test_admin_ui_routes(api, global_admin):
    option = UIOption.objects.create(route="race-route", enabled=True, roles="ADMIN")
    admin = api("global_admin")
    both_persist(
        admin,
        api("global_admin"),
        f"/api/v2/admin/ui/{option.pk}/",
        lambda trial: {"enabled": trial % 2 == 1},
        lambda trial: {"roles": ["ADMIN", "SEND"] if trial % 2 else ["LEGAL"]},
        lambda: (lambda fresh: (fresh.enabled, fresh.roles))(UIOption.objects.get(pk=option.pk)),
        lambda trial: (trial % 2 == 1, "ADMIN,SEND" if trial % 2 else "LEGAL"),
    )


def test_institution_ui_options(api, institution, inst_admin, member):
    UIOption.objects.create(route="race-route", enabled=True, roles="ADMIN")  # a global route
    option = UIOption.objects.create(institution=institution, route="race-route", enabled=False)
    url = f"/api/v2/institution/{institution.pk}/ui/{option.pk}/"
    both_persist(
        api("inst_admin"),
        api("inst_admin"),
        url,
        lambda trial: {"enabled": False},
        lambda trial: {"user": member.pk if trial % 2 else None},
        lambda: (lambda fresh: (fresh.enabled, fresh.user_id))(UIOption.objects.get(pk=option.pk)),
        lambda trial: (False, member.pk if trial % 2 else None),
    )


def test_consent_documents(api, institution, legal_admin):
    consent = InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=timezone.now()
    )
    document = InformedConsentDocument.objects.create(consent=consent, language="en", html="x")
    url = f"/api/v2/institution/{institution.pk}/ic/{consent.pk}/document/en/"
    both_persist(
        api("legal_admin"),
        api("legal_admin"),
        url,
        lambda trial: {"html": f"<p>{trial}</p>"},
        lambda trial: {"language": "en"},
        lambda: InformedConsentDocument.objects.get(pk=document.pk).html,
        lambda trial: f"<p>{trial}</p>",
    )
