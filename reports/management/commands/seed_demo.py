"""Create a demo institution to click through, and print how to log in.

Also one demo provider per instrument, with credentials a real provider worker can use
(`ROLE_ID`, `SECRET_ID`; see the README's "Providers"). An existing `admin` user is kept as it
is: the demo then gets its own global admin, `demo-admin`. The credentials are also written to
`.demo-credentials.json` (outside version control), so a later `make run` can print them again:
secrets are stored hashed and cannot be shown twice.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from institution.models import (
    InformedConsent,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    User,
)
from reports.models import Provider
from reports.services.providers import provider_create
from vle.models import Activity, ActivityInstrument, Course, Instrument
from vle.services.vles import vle_create

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".demo-credentials.json"
DEMO_ACRONYM = "DEMO"


class Command(BaseCommand):
    help = "Seed a demo institution (admin, VLE, course, activity, learners) and print logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only seed when the database has no institution yet; otherwise reprint logins.",
        )

    def handle(self, *args, if_empty=False, **options):
        demo_exists = Institution.objects.filter(acronym=DEMO_ACRONYM).exists()
        if if_empty and Institution.objects.exists() and not demo_exists:
            self._print(self._stored())  # someone's own data: no demo rows added
            return
        if demo_exists and not if_empty:
            self.stdout.write("The demo institution exists already.")
        credentials = self._stored() or {}
        with transaction.atomic():
            if not demo_exists:
                credentials = self._seed()
            providers = self._seed_providers()
        if providers or not demo_exists:
            credentials.setdefault("providers", {}).update(providers)
            CREDENTIALS_FILE.write_text(json.dumps(credentials, indent=2))
        self._print(credentials)

    @staticmethod
    def _seed_providers() -> dict:
        """A demo provider for every instrument that has none yet, with new credentials."""
        issued = {}
        for instrument in Instrument.objects.order_by("id"):
            acronym = f"demo_{instrument.acronym}"
            if Provider.objects.filter(acronym=acronym).exists():
                continue
            provider, credentials = provider_create(
                instrument=instrument,
                acronym=acronym,
                name=f"Demo {instrument.name}",
                queue=f"demo_{instrument.queue}",
                enabled=True,
                alert_below="0.30",
                warning_below="0.60",
                inverted_polarity=instrument.acronym in {"fa", "plag"},
            )
            issued[acronym] = {
                "provider_id": provider.pk,
                "instrument": instrument.acronym,
                "queue": provider.queue,
                **credentials,
            }
        return issued

    def _seed(self) -> dict:
        password = secrets.token_urlsafe(12)
        # `admin` may be taken already (createsuperuser first, then the demo): the demo's
        # global admin then gets the first free name among demo-admin, demo-admin-2, ...
        admin = User.objects.create_superuser(
            username=_free_username("admin", "demo-admin"),
            email="admin@demo.example.org",
            password=password,
        )
        institution = Institution.objects.create(
            acronym=DEMO_ACRONYM,
            name="Demo University",
            allow_learner_report=True,
            allowed_domains="localhost,127.0.0.1",
        )
        staff = User.objects.create_user(
            username="staff@demo.example.org",
            email="staff@demo.example.org",
            password=password,
            first_name="Dana",
            last_name="Admin",
        )
        InstitutionUser.objects.create(
            user=staff,
            institution=institution,
            uid="staff@demo.example.org",
            login_allowed=True,
            inst_admin=True,
            legal_admin=True,
            send_admin=True,
            data_admin=True,
        )
        vle, vle_credentials = vle_create(
            institution=institution, name="Demo Moodle", url="http://127.0.0.1:8080"
        )
        consent = InformedConsent.objects.create(
            institution=institution, version="1.0.0", valid_from=timezone.now()
        )
        Instrument.objects.update(enabled=True)
        course = Course.objects.create(
            vle=vle, code="DEMO101", vle_course_id="101", description="Demo course"
        )
        activity = Activity.objects.create(
            vle=vle,
            course=course,
            vle_activity_type="assign",
            vle_activity_id="1",
            name="Demo essay",
            enabled=True,
        )
        ActivityInstrument.objects.create(activity=activity, instrument_id=5, active=True)
        ActivityInstrument.objects.create(
            activity=activity, instrument_id=1, active=True, options={"online": True}
        )
        teacher = self._person(institution, "teacher", "Terry", "Teacher")
        course.instructors.add(Instructor.objects.create(institution_user=teacher))
        for n in range(1, 4):
            person = self._person(institution, f"learner{n}", "Learner", str(n))
            learner = Learner.objects.create(
                institution_user=person, consent=consent, consent_accepted=timezone.now()
            )
            course.learners.add(learner)
        return {
            "admin": {
                "url": f"{settings.PUBLIC_API_URL}/admin/",
                "username": admin.username,
                "email": admin.email,
                "password": password,
            },
            "institution_admin": {"email": staff.email, "password": password},
            "vle": {"vle_id": vle.pk, "institution_id": institution.pk, **vle_credentials},
        }

    @staticmethod
    def _person(institution, uid, first_name, last_name) -> InstitutionUser:
        email = f"{uid}@demo.example.org"
        user = User.objects.create_user(
            username=email, email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return InstitutionUser.objects.create(user=user, institution=institution, uid=email)

    @staticmethod
    def _stored() -> dict | None:
        try:
            return json.loads(CREDENTIALS_FILE.read_text())
        except (OSError, ValueError):
            return None

    def _print(self, credentials: dict | None) -> None:
        credentials = credentials or {}
        base = settings.PUBLIC_API_URL
        lines = ["", "TeSLA demo"]
        if "admin" in credentials:
            admin, staff, vle = (
                credentials["admin"],
                credentials["institution_admin"],
                credentials["vle"],
            )
            lines += [
                f"  Admin site   {base}/admin/   user {admin['username']}"
                f"  password {admin['password']}",
                f"  API login    POST {base}/api/v2/auth/login  email {admin['email']} (global"
                f" admin) or {staff['email']} (institution admin), password {admin['password']}",
                f"  Demo VLE     id {vle['vle_id']}  role_id {vle['role_id']}"
                f"  secret_id {vle['secret_id']}",
            ]
        else:
            lines.append(
                "  No demo logins on record (the database was not seeded by seed_demo). "
                "Create an admin with `manage.py createsuperuser` and a VLE with "
                "`manage.py register_vle`."
            )
        providers = credentials.get("providers") or {}
        if providers:
            lines.append(
                f"  Demo providers (for a provider worker: API_URL={base},"
                " ROLE_ID, SECRET_ID; see the README, Providers):"
            )
        for acronym, provider in providers.items():
            lines.append(
                f"    Provider {acronym:<10} id {provider['provider_id']}"
                f"  queue {provider['queue']}  role_id {provider['role_id']}"
                f"  secret_id {provider['secret_id']}"
            )
        lines += [
            f"  Browsable API {base}/api/v2/   Swagger UI {base}/api/docs/",
            "",
        ]
        self.stdout.write("\n".join(lines))


def _free_username(*candidates: str) -> str:
    """The first of `candidates` no user has, else the last one with a number appended."""
    for name in candidates:
        if not User.objects.filter(username=name).exists():
            return name
    number = 2
    while User.objects.filter(username=f"{candidates[-1]}-{number}").exists():
        number += 1
    return f"{candidates[-1]}-{number}"
