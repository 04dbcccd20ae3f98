"""The load benchmark's data set, written with set-based SQL (`generate_series`), in seconds.

One large institution (at `--scale 1`: 500,000 learners, 50,000 courses, 200,000 activities and
1,000,000 activity reports) and 50 small ones (100 learners, 10 courses, 20 activities, 200
reports each). Every learner accepted the institution's current consent, belongs to one course
and has one SEND-free record; every institution has one VLE whose credentials are issued by the
server's own service, so approle works as it does for real VLEs.

Ids are explicit (the database is created empty for the benchmark) and the sequences are moved
past them at the end."""

from dataclasses import dataclass

SMALL_INSTITUTIONS = 50
SMALL = {"learners": 100, "courses": 10, "activities": 20, "reports": 200}
LARGE = {"learners": 500_000, "courses": 50_000, "activities": 200_000, "reports": 1_000_000}


@dataclass
class Tenant:
    institution_id: int
    vle_id: int
    first_user: int
    learners: int
    first_course: int
    courses: int
    first_activity: int
    activities: int
    reports: int
    admin_user: int = 0


def plan(scale: float) -> list[Tenant]:
    """Id ranges of every tenant: the large one first."""
    sizes = [{k: max(1, int(v * scale)) for k, v in LARGE.items()}] + [
        dict(SMALL) for _ in range(SMALL_INSTITUTIONS)
    ]
    tenants = []
    user = course = activity = 1
    for number, size in enumerate(sizes, start=1):
        tenants.append(
            Tenant(
                institution_id=number,
                vle_id=number,
                first_user=user,
                learners=size["learners"],
                first_course=course,
                courses=size["courses"],
                first_activity=activity,
                activities=size["activities"],
                reports=min(size["reports"], size["learners"] * size["activities"]),
            )
        )
        user += size["learners"] + 1  # the last user of each tenant is its admin
        tenants[-1].admin_user = user - 1
        course += size["courses"]
        activity += size["activities"]
    return tenants


def _tenant_sql(t: Tenant) -> list[str]:
    last_user = t.first_user + t.learners - 1
    return [
        f"""INSERT INTO institution_institution (id, created_at, updated_at, acronym, name,
            external_ic, disable_vle_learner_creation, disable_vle_instructor_creation,
            disable_vle_user_creation, allow_learner_report, allow_learner_audit,
            allow_valid_audit)
            VALUES ({t.institution_id}, now(), now(), 'B{t.institution_id}',
            'Bench {t.institution_id}', false, false, false, false, false, false, false)""",
        f"""INSERT INTO institution_informedconsent (id, created_at, updated_at, institution_id,
            version, valid_from)
            VALUES ({t.institution_id}, now(), now(), {t.institution_id}, '1.0.0',
            now() - interval '1 day')""",
        f"""INSERT INTO vle_vle (id, created_at, updated_at, secret_id_hash, name, type,
            institution_id, url)
            VALUES ({t.vle_id}, now(), now(), '!', 'bench-vle-{t.vle_id}', 0,
            {t.institution_id}, 'https://vle{t.vle_id}.example.org')""",
        f"""INSERT INTO institution_user (id, password, is_superuser, username, first_name,
            last_name, is_staff, is_active, date_joined, email)
            SELECT n, '!', false, 'u' || n, 'First' || n, 'Last' || n, false, true, now(),
            'u' || n || '@example.org'
            FROM generate_series({t.first_user}, {t.admin_user}) AS n""",
        f"""INSERT INTO institution_institutionuser (created_at, updated_at, user_id, uid,
            login_allowed, inst_admin, legal_admin, send_admin, data_admin, institution_id)
            SELECT now(), now(), n, 'u' || n, true, n = {t.admin_user}, false, false, false,
            {t.institution_id}
            FROM generate_series({t.first_user}, {t.admin_user}) AS n""",
        f"""INSERT INTO institution_learner (institution_user_id, learner_id, consent_id,
            consent_accepted, joined_at)
            SELECT n, gen_random_uuid(), {t.institution_id}, now(), now()
            FROM generate_series({t.first_user}, {last_user}) AS n""",
        f"""INSERT INTO vle_course (id, created_at, updated_at, code, vle_course_id,
            description, vle_id)
            SELECT n, now(), now(), 'C' || n, n::text, 'Course ' || n, {t.vle_id}
            FROM generate_series({t.first_course}, {t.first_course + t.courses - 1}) AS n""",
        f"""INSERT INTO vle_course_learners (course_id, learner_id)
            SELECT {t.first_course} + (n - {t.first_user}) % {t.courses}, n
            FROM generate_series({t.first_user}, {last_user}) AS n""",
        f"""INSERT INTO vle_activity (id, created_at, updated_at, vle_activity_type,
            vle_activity_id, name, enabled, course_id, vle_id)
            SELECT n, now(), now(), 'quiz', n::text, 'Activity ' || n, true,
            {t.first_course} + (n - {t.first_activity}) % {t.courses}, {t.vle_id}
            FROM generate_series({t.first_activity},
                                 {t.first_activity + t.activities - 1}) AS n""",
        # Report r pairs learner r mod L with activity r mod A: distinct pairs while
        # r < lcm(L, A), which holds for the sizes above.
        f"""INSERT INTO reports_reportactivity (created_at, updated_at, identity_level,
            content_level, integrity_level, activity_id, learner_id)
            SELECT now(), now(), 1 + r % 4, 1 + (r / 7) % 4, 1 + (r / 13) % 4,
            {t.first_activity} + r % {t.activities}, {t.first_user} + r % {t.learners}
            FROM generate_series(0, {t.reports - 1}) AS r
            ON CONFLICT DO NOTHING""",
    ]


SEQUENCES = {
    "institution_institution": "id",
    "institution_informedconsent": "id",
    "institution_user": "id",
    "vle_vle": "id",
    "vle_course": "id",
    "vle_course_learners": "id",
    "vle_activity": "id",
    "reports_reportactivity": "id",
}


def seed(connection, tenants: list[Tenant]) -> None:
    """Write every tenant, then analyse, so that the planner's estimates are current."""
    with connection.cursor() as cursor:
        for tenant in tenants:
            for statement in _tenant_sql(tenant):
                cursor.execute(statement)
        for table, column in SEQUENCES.items():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT MAX({column}) FROM {table}))"
            )
        cursor.execute("ANALYZE")
