"""P: the practical limit the server is measured against.

A bare WSGI application (no framework) that answers the benchmarked endpoints with the same
SQL as the server, through psycopg, and returns byte-identical JSON: the benchmark compares
every P answer with the server's before it measures anything. What is left between the two
is the cost of the framework and of our own code.

It checks the same HS256 access tokens and reads the caller the way the server does (one
query), so it does the work a correct server must do, and nothing else. It serves only the
benchmarked paths; anything else is a 404.

Configuration: `DATABASE_URL` and `JWT_SIGNING_KEY` in the environment; serve
`benchmarks.p_app:application` with gunicorn.
"""

import json
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import jwt
import psycopg
import psycopg.types.json

EXACT_COUNT_LIMIT = 10_000
MAX_OFFSET = 100_000
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
VLE_TYPES = {0: "MOODLE"}

_connection: psycopg.Connection | None = None


def db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        # As Django's backend connects: parameters bound client-side, no prepared statements
        # (a generic plan prepared for the large tenant would be wrong for the small ones).
        _connection = psycopg.connect(
            os.environ["DATABASE_URL"],
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            prepare_threshold=None,
        )
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection


QUERIES = [0]


def rows(sql: str, params=()) -> list[tuple]:
    QUERIES[0] += 1
    return db().execute(sql, params).fetchall()


# Rendering, as DRF renders -------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def render(status: str, body, start_response):
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("X-Queries", str(QUERIES[0])),
        ],
    )
    return [payload]


class Answer(Exception):
    def __init__(self, status: str, body):
        self.status, self.body = status, body


def not_found():
    return Answer("404 Not Found", {"detail": "Not found."})


# Callers -------------------------------------------------------------------------------------


def claims_of(environ) -> dict:
    header = environ.get("HTTP_AUTHORIZATION", "").split()
    if len(header) != 2 or header[0].lower() not in ("jwt", "bearer"):
        raise Answer(
            "401 Unauthorized", {"detail": "Authentication credentials were not provided."}
        )
    try:
        claims = jwt.decode(header[1], os.environ["JWT_SIGNING_KEY"], algorithms=["HS256"])
    except jwt.PyJWTError:
        raise Answer("401 Unauthorized", {"detail": "Invalid or expired token."}) from None
    if claims.get("token_type") != "access":
        raise Answer("401 Unauthorized", {"detail": "Invalid or expired token."})
    return claims


INSTITUTION_COLUMNS = (
    "i.id, i.acronym, i.name, i.external_ic, i.mail_domain, i.disable_vle_learner_creation, "
    "i.disable_vle_instructor_creation, i.disable_vle_user_creation, i.allow_learner_report, "
    "i.allow_learner_audit, i.allow_valid_audit, i.allowed_domains, i.created_at, i.updated_at"
)


def institution_body(row, with_domains: bool) -> dict:
    body = {
        "id": row[0],
        "acronym": row[1],
        "name": row[2],
        "external_ic": row[3],
        "mail_domain": row[4],
        "disable_vle_learner_creation": row[5],
        "disable_vle_instructor_creation": row[6],
        "disable_vle_user_creation": row[7],
        "allow_learner_report": row[8],
        "allow_learner_audit": row[9],
        "allow_valid_audit": row[10],
    }
    if with_domains:
        body["allowed_domains"] = row[11] or ""
    body["created_at"] = iso(row[12])
    body["updated_at"] = iso(row[13])
    return body


def caller_row(environ, kind: str, sql: str) -> tuple:
    """The calling principal's row (`sql` takes the token's pk), as the server reads it."""
    claims = claims_of(environ)
    if claims.get("type") != kind:
        raise Answer("403 Forbidden", {"detail": "This endpoint is not for this kind of caller."})
    found = rows(sql, (claims["pk"],))
    if not found:
        raise Answer("401 Unauthorized", {"detail": "The token's principal does not exist."})
    return found[0]


def calling_vle(environ, vle_id: int) -> dict:
    row = caller_row(
        environ,
        "vle",
        f"SELECT v.id, v.type, v.name, v.url, v.client_id, {INSTITUTION_COLUMNS} "
        "FROM vle_vle v JOIN institution_institution i ON i.id = v.institution_id "
        "WHERE v.id = %s",
    )
    if row[0] != vle_id:
        raise not_found()
    return {
        "id": row[0],
        "type": VLE_TYPES.get(row[1], row[1]),
        "name": row[2],
        "url": row[3],
        "client_id": row[4],
        "institution": institution_body(row[5:], with_domains=False),
    }


def calling_admin(environ, institution_id: int) -> tuple:
    row = caller_row(
        environ,
        "user",
        f"SELECT m.inst_admin, {INSTITUTION_COLUMNS} FROM institution_user u "
        "JOIN institution_institutionuser m ON m.user_id = u.id "
        "JOIN institution_institution i ON i.id = m.institution_id "
        "WHERE u.id = %s AND u.is_active",
    )
    if row[1] != institution_id:
        raise not_found()
    if not row[0]:
        raise Answer("403 Forbidden", {"detail": "You do not have permission."})
    return row[1:]


# Pages ---------------------------------------------------------------------------------------


def page_params(query: dict) -> tuple[int, int]:
    try:
        limit = int(query.get("limit", 10))
        limit = 10 if limit <= 0 else min(limit, 1000)
    except ValueError:
        limit = 10
    try:
        offset = max(int(query.get("offset", 0)), 0)
    except ValueError:
        offset = 0
    if offset > MAX_OFFSET:
        raise Answer("400 Bad Request", {"offset": [f"Ensure this value is at most {MAX_OFFSET}."]})
    return limit, offset


def link(environ, query: dict, limit: int, offset: int | None) -> str:
    params = {**query, "limit": str(limit)}
    if offset is None:
        params.pop("offset", None)
    else:
        params["offset"] = str(offset)
    base = f"http://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
    return f"{base}?{urlencode(sorted(params.items()))}"


def count_of(sql: str, params: tuple) -> tuple[int, bool]:
    connection = db()
    text = psycopg.ClientCursor(connection).mogrify(sql, params)
    count, estimated = rows(
        "SELECT CASE WHEN counted.n <= %s THEN counted.n "
        "ELSE GREATEST(tesla_count_estimate(%s), counted.n) END, counted.n > %s "
        f"FROM (SELECT COUNT(*) AS n FROM ({sql} LIMIT {EXACT_COUNT_LIMIT + 1}) AS page_rows) "
        "AS counted",
        (EXACT_COUNT_LIMIT, text, EXACT_COUNT_LIMIT, *params),
    )[0]
    return int(count), bool(estimated)


def page(environ, query, found: list, limit: int, offset: int, count_sql, count_params) -> dict:
    has_next = len(found) > limit
    found = found[:limit]
    if not has_next and (found or offset == 0):
        count, estimated = offset + len(found), False
    else:
        count, estimated = count_of(count_sql, count_params)
    previous = None
    if offset > 0:
        previous = link(environ, query, limit, None if offset - limit <= 0 else offset - limit)
    return {
        "count": count,
        "count_estimated": estimated,
        "next": link(environ, query, limit, offset + limit) if has_next else None,
        "previous": previous,
        "results": found,
    }


# Endpoints -----------------------------------------------------------------------------------

COURSE_COLUMNS = (
    "c.id, c.code, c.vle_course_id, c.description, c.start, c.end, c.created_at, c.updated_at, "
    "EXISTS (SELECT 1 FROM vle_activity a WHERE a.course_id = c.id AND a.enabled)"
)


def course_body(row, vle: dict) -> dict:
    return {
        "id": row[0],
        "vle": vle,
        "enabled": row[8],
        "code": row[1],
        "vle_course_id": row[2],
        "description": row[3],
        "start": iso(row[4]),
        "end": iso(row[5]),
        "created_at": iso(row[6]),
        "updated_at": iso(row[7]),
    }


def vle_courses(environ, query, vle_id: int):
    vle = calling_vle(environ, vle_id)
    limit, offset = page_params(query)
    where, params = "c.vle_id = %s", [vle_id]
    if "vle_course_id" in query:
        where += " AND c.vle_course_id = %s"
        params.append(query["vle_course_id"])
    found = rows(
        f"SELECT {COURSE_COLUMNS} FROM vle_course c WHERE {where} ORDER BY c.id "
        f"LIMIT {limit + 1} OFFSET {offset}",
        params,
    )
    return page(
        environ,
        query,
        [course_body(row, vle) for row in found],
        limit,
        offset,
        f"SELECT c.id FROM vle_course c WHERE {where}",
        tuple(params),
    )


def vle_activities(environ, query, vle_id: int, course_id: int):
    vle = calling_vle(environ, vle_id)
    found = rows(
        f"SELECT {COURSE_COLUMNS} FROM vle_course c WHERE c.vle_id = %s AND c.id = %s",
        (vle_id, course_id),
    )
    if not found:
        raise not_found()
    course = course_body(found[0], vle)
    limit, offset = page_params(query)
    where, params = "a.course_id = %s AND a.vle_id = %s", [course_id, vle_id]
    for name in ("vle_activity_type", "vle_activity_id"):
        if name in query:
            where += f" AND a.{name} = %s"
            params.append(query[name])
    found = rows(
        "SELECT a.id, a.vle_activity_type, a.vle_activity_id, a.description, a.name, a.enabled, "
        f"a.start, a.end, a.conf, a.created_at, a.updated_at FROM vle_activity a WHERE {where} "
        f"ORDER BY a.id LIMIT {limit + 1} OFFSET {offset}",
        params,
    )
    activities = [
        {
            "id": row[0],
            "course": course,
            "vle_activity_type": row[1],
            "vle_activity_id": row[2],
            "description": row[3],
            "name": row[4],
            "enabled": row[5],
            "start": iso(row[6]),
            "end": iso(row[7]),
            "conf": row[8],
            "created_at": iso(row[9]),
            "updated_at": iso(row[10]),
        }
        for row in found
    ]
    return page(
        environ,
        query,
        activities,
        limit,
        offset,
        f"SELECT a.id FROM vle_activity a WHERE {where}",
        tuple(params),
    )


def _version_key(version: str) -> tuple:
    match = VERSION.match(version)
    return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)


def consent_status(consent: tuple, current: tuple | None, now: datetime) -> str:
    consent_id, version, valid_from = consent
    if valid_from > now:
        return "NOT_VALID_YET"
    if current is None:
        return "NOT_VALID"
    if consent_id == current[0]:
        return "VALID"
    if _version_key(version)[:2] == _version_key(current[1])[:2]:
        return "VALID_NEED_UPDATE"
    return "NOT_VALID"


def current_consent(versions, now):
    """The current one of an institution's consent versions (id, version, valid_from): the
    highest version already valid."""
    valid = [version for version in versions if version[2] <= now]
    return max(valid, key=lambda version: _version_key(version[1]), default=None)


def learner_state(send_rows, consent_row, rejected, external_ic, current, now) -> tuple:
    """(consent, ic_status, send) of a learner, as the server writes them: `send_rows` their
    SEND assignments (JSON rows), `consent_row` (id, version, valid_from) of the accepted
    version or Nones, `current` the institution's current version."""
    options: set = set()
    disabled: set = set()
    active = False
    for assignment in send_rows or []:
        expires_at = assignment["expires_at"]
        if expires_at is not None and datetime.fromisoformat(expires_at) < now:
            continue
        active = True
        data = assignment["data"] or {}
        options.update(data.get("enabled_options") or [])
        disabled.update(data.get("disabled_instruments") or [])
    consent = None
    if consent_row[0] is not None:
        consent = {
            "version": consent_row[1],
            "status": consent_status(consent_row, current, now),
        }
    if external_ic:
        ic_status = "VALID_EXTERNAL"
    elif rejected is not None:
        ic_status = "NOT_VALID_REJECTED"
    elif consent is None:
        ic_status = "NOT_VALID_MISSING"
    else:
        ic_status = consent["status"]
    send = {
        "is_send": active,
        "send": {"enabled_options": sorted(options), "disabled_instruments": sorted(disabled)},
    }
    return consent, ic_status, send


SEND_ROWS = (
    "(SELECT JSONB_AGG(JSONB_BUILD_OBJECT('expires_at', s.expires_at, 'data', c.data)) "
    " FROM institution_sendlearner s JOIN institution_sendcategory c ON c.id = s.category_id "
    " WHERE s.learner_id = l.institution_user_id GROUP BY s.learner_id)"
)


# A learner as the server reads one: person, membership, accepted consent version and SEND
# assignments (JSON rows), in one query; the names are those of `learner_row`.
LEARNER_COLUMNS = {
    "id": "l.institution_user_id",
    "username": "u.username",
    "uid": "m.uid",
    "first_name": "u.first_name",
    "last_name": "u.last_name",
    "email": "u.email",
    "locale": "m.locale",
    "last_login": "u.last_login",
    "created_at": "m.created_at",
    "updated_at": "m.updated_at",
    "login_allowed": "m.login_allowed",
    "inst_admin": "m.inst_admin",
    "legal_admin": "m.legal_admin",
    "send_admin": "m.send_admin",
    "data_admin": "m.data_admin",
    "learner_id": "l.learner_id",
    "consent_id": "l.consent_id",
    "consent_version": "ic.version",
    "consent_valid_from": "ic.valid_from",
    "consent_accepted": "l.consent_accepted",
    "consent_rejected": "l.consent_rejected",
    "joined_at": "l.joined_at",
    "send_rows": SEND_ROWS,
}
LEARNERS = (
    f"SELECT {', '.join(LEARNER_COLUMNS.values())} "
    "FROM institution_learner l "
    "JOIN institution_institutionuser m ON m.user_id = l.institution_user_id "
    "JOIN institution_user u ON u.id = m.user_id "
    "LEFT JOIN institution_informedconsent ic ON ic.id = l.consent_id "
)
# The two representations of a learner: the institution's list and the VLE's course learner.
INSTITUTION_LEARNER_FIELDS = (
    "id",
    "institution",
    "username",
    "consent",
    "consent_accepted",
    "consent_rejected",
    "learner_id",
    "last_login",
    "send",
    "email",
    "ic_status",
    "login_allowed",
    "first_name",
    "last_name",
    "locale",
    "created_at",
    "updated_at",
    "uid",
    "inst_admin",
    "legal_admin",
    "send_admin",
    "data_admin",
    "joined_at",
)
COURSE_LEARNER_FIELDS = (
    "id",
    "username",
    "uid",
    "first_name",
    "last_name",
    "email",
    "locale",
    "last_login",
    "created_at",
    "updated_at",
    "inst_admin",
    "legal_admin",
    "send_admin",
    "data_admin",
    "learner_id",
    "consent",
    "consent_accepted",
    "consent_rejected",
    "ic_status",
    "send",
    "joined_at",
)


def learner_row(row: tuple) -> dict:
    """A row of `LEARNERS`, by column name."""
    return dict(zip(LEARNER_COLUMNS, row, strict=True))


def learner_values(learner: dict, external_ic: bool, current, now) -> dict:
    """Every field of a learner's representations, as the server writes them, from
    `learner_row`; `current` is the institution's current consent version."""
    consent, ic_status, send = learner_state(
        learner["send_rows"],
        (learner["consent_id"], learner["consent_version"], learner["consent_valid_from"]),
        learner["consent_rejected"],
        external_ic,
        current,
        now,
    )
    return {
        **learner,
        "learner_id": str(learner["learner_id"]),
        "last_login": iso(learner["last_login"]),
        "created_at": iso(learner["created_at"]),
        "updated_at": iso(learner["updated_at"]),
        "consent": consent,
        "consent_accepted": iso(learner["consent_accepted"]),
        "consent_rejected": iso(learner["consent_rejected"]),
        "ic_status": ic_status,
        "send": send,
        "joined_at": iso(learner["joined_at"]),
    }


def fields(values: dict, names: tuple[str, ...]) -> dict:
    return {name: values[name] for name in names}


def institution_learners(environ, query, institution_id: int):
    institution_row = calling_admin(environ, institution_id)
    institution = institution_body(institution_row, with_domains=True)
    limit, offset = page_params(query)
    now = datetime.now(UTC)
    scope = (
        "FROM institution_learner l JOIN institution_institutionuser m "
        "ON m.user_id = l.institution_user_id WHERE m.institution_id = %s"
    )
    if offset:
        keys = (
            f"l.institution_user_id IN (SELECT l.institution_user_id {scope} "
            f"ORDER BY l.institution_user_id LIMIT {limit + 1} OFFSET {offset})"
        )
        params: tuple = (institution_id, institution_id)
        bounds = ""
    else:
        keys, params, bounds = "TRUE", (institution_id,), f"LIMIT {limit + 1}"
    found = rows(
        f"{LEARNERS} WHERE m.institution_id = %s AND {keys} "
        f"ORDER BY l.institution_user_id {bounds}",
        params,
    )
    consents = rows(
        "SELECT id, version, valid_from FROM institution_informedconsent WHERE institution_id = %s",
        (institution_id,),
    )
    current = current_consent(consents, now)
    learners = [
        fields(
            {
                **learner_values(learner_row(row), institution["external_ic"], current, now),
                "institution": institution,
            },
            INSTITUTION_LEARNER_FIELDS,
        )
        for row in found
    ]
    return page(
        environ,
        query,
        learners,
        limit,
        offset,
        f"SELECT l.institution_user_id {scope}",
        (institution_id,),
    )


def activity_reports(environ, query, institution_id: int, course_id: int, activity_id: int):
    calling_admin(environ, institution_id)
    if not rows(
        "SELECT a.id FROM vle_activity a JOIN vle_course c ON c.id = a.course_id "
        "JOIN vle_vle v ON v.id = c.vle_id WHERE a.id = %s AND a.course_id = %s "
        "AND v.institution_id = %s",
        (activity_id, course_id, institution_id),
    ):
        raise not_found()
    limit, offset = page_params(query)
    scope = "FROM reports_reportactivity r WHERE r.activity_id = %s"
    keys, params, bounds = "TRUE", (activity_id,), f"LIMIT {limit + 1}"
    if offset:
        keys = f"r.id IN (SELECT r.id {scope} ORDER BY r.id LIMIT {limit + 1} OFFSET {offset})"
        params, bounds = (activity_id, activity_id), ""
    found = rows(
        "SELECT r.id, l.institution_user_id, m.uid, u.first_name, u.last_name, u.email, "
        "l.learner_id, r.identity_level, r.content_level, r.integrity_level, "
        "(SELECT JSONB_AGG(JSONB_BUILD_OBJECT('instrument', i.name, 'enrolment', d.enrolment, "
        "'confidence', d.confidence, 'result', d.result, 'identity_level', d.identity_level, "
        "'content_level', d.content_level, 'integrity_level', d.integrity_level, "
        "'instrument_id', d.instrument_id)) FROM reports_reportactivityinstrument d "
        "JOIN vle_instrument i ON i.id = d.instrument_id WHERE d.report_id = r.id "
        "GROUP BY d.report_id) "
        "FROM reports_reportactivity r "
        "JOIN institution_learner l ON l.institution_user_id = r.learner_id "
        "JOIN institution_institutionuser m ON m.user_id = l.institution_user_id "
        "JOIN institution_user u ON u.id = m.user_id "
        f"WHERE r.activity_id = %s AND {keys} ORDER BY r.id {bounds}",
        params,
    )
    names = (
        "instrument", "enrolment", "confidence", "result", "identity_level", "content_level",
        "integrity_level", "instrument_id",
    )  # fmt: skip
    reports = [
        {
            "id": row[0],
            "learner": {
                "id": row[1],
                "uid": row[2],
                "first_name": row[3],
                "last_name": row[4],
                "email": row[5],
                "learner_id": str(row[6]),
            },
            "detail": [
                {name: detail[name] for name in names}
                for detail in sorted(row[10] or [], key=lambda detail: detail["instrument_id"])
            ],
            "identity_level": row[7],
            "content_level": row[8],
            "integrity_level": row[9],
        }
        for row in found
    ]
    return page(environ, query, reports, limit, offset, f"SELECT r.id {scope}", (activity_id,))


def body_of(environ, *required: str) -> dict:
    """The request's JSON object; a 400 naming the first required field it lacks."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length))
    except ValueError:
        body = None
    for name in required:
        if not isinstance(body, dict) or body.get(name) in (None, ""):
            raise Answer("400 Bad Request", {name: ["This field is required."]})
    return body


def learner_by_uid(institution_id: int, uid: str) -> dict | None:
    """The institution's learner with this uid, with their person, accepted consent and SEND
    assignments (the server reads them in one query)."""
    found = rows(
        f"{LEARNERS} WHERE m.institution_id = %s AND m.uid = %s "
        "ORDER BY l.institution_user_id LIMIT 1",
        (institution_id, uid),
    )
    return learner_row(found[0]) if found else None


def vle_course_learner_enrol(environ, query, vle_id: int, course_id: int):
    """POST a learner of the institution, by uid, into the course (idempotent), answered with
    the learner as the plugins read it. P serves the benchmark's case, a known learner."""
    vle = calling_vle(environ, vle_id)
    institution = vle["institution"]
    uid = body_of(environ, "uid")["uid"]
    now = datetime.now(UTC)
    with db().transaction():
        QUERIES[0] += 2  # BEGIN, COMMIT
        course = rows(
            "SELECT c.id, (SELECT JSONB_AGG(JSONB_BUILD_OBJECT("
            "'id', ic.id, 'version', ic.version, 'valid_from', ic.valid_from)) "
            " FROM institution_informedconsent ic WHERE ic.institution_id = %s) "
            "FROM vle_course c WHERE c.id = %s AND c.vle_id = %s",
            (institution["id"], course_id, vle_id),
        )
        if not course:
            raise not_found()
        learner = learner_by_uid(institution["id"], uid)
        if learner is None:
            raise Answer("501 Not Implemented", {"detail": "P enrols known learners only."})
        rows(
            "INSERT INTO vle_course_learners (course_id, learner_id) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            (course_id, learner["id"]),
        )
    consents = [
        (entry["id"], entry["version"], datetime.fromisoformat(entry["valid_from"]))
        for entry in course[0][1] or []
    ]
    current = current_consent(consents, now)
    return fields(
        learner_values(learner, institution["external_ic"], current, now), COURSE_LEARNER_FIELDS
    )


def sign(claims: dict) -> str:
    """An HS256 token, its payload padded (claim `_f`) to be base64-clean, as the server's."""
    for size in range(24):
        token = jwt.encode({**claims, "_f": "x" * size}, os.environ["JWT_SIGNING_KEY"])
        payload = token.split(".")[1]
        if len(payload) % 4 == 0 and "-" not in payload and "_" not in payload:
            return token
    raise RuntimeError("no filler made the payload base64-clean")


def learner_tokens(learner_pk: int, learner_id: str, session_id: int, minutes: int, now) -> dict:
    """The access and refresh tokens of a learner's assessment session."""
    access_minutes = int(os.environ["JWT_ACCESS_MINUTES"])
    base = {
        "sid": uuid.uuid4().hex,
        "type": "learner",
        "pk": learner_pk,
        "sub": learner_id,
        "group": "learners",
        "session_id": session_id,
        "mode": "verification",
    }
    issued = int(now.timestamp())
    access = {"token_type": "access", "jti": uuid.uuid4().hex, "iat": issued}
    access["exp"] = int((now + timedelta(minutes=access_minutes)).timestamp())
    refresh = {"token_type": "refresh", "jti": uuid.uuid4().hex, "iat": issued}
    refresh["exp"] = int((now + timedelta(minutes=minutes)).timestamp())
    refresh["ttl"] = access_minutes
    return {
        "access_token": sign({**base, **access}),
        "refresh_token": sign({**base, **refresh}),
    }


def vle_assessment_open(environ, query, vle_id: int):
    """Open an assessment session of a learner (by uid) in an activity (by its VLE type and
    id): consent checked, the learner joins the course, gets tokens and a dashboard launcher,
    and the session keeps the browser plugin's configuration. P serves the benchmark's case,
    an activity no instrument watches, with the default options."""
    vle = calling_vle(environ, vle_id)
    institution = vle["institution"]
    body = body_of(environ, "vle_activity_type", "vle_activity_id", "vle_learner_uid")
    minutes = 120
    with db().transaction():
        QUERIES[0] += 2  # BEGIN, COMMIT
        found = rows(
            "SELECT a.id, a.course_id, a.name, a.description, a.enabled, a.start, a.end, "
            "c.code, c.description, c.start, c.end FROM vle_activity a "
            "JOIN vle_course c ON c.id = a.course_id "
            "WHERE a.vle_id = %s AND a.vle_activity_type = %s AND a.vle_activity_id = %s "
            "ORDER BY a.id LIMIT 1",
            (vle_id, body["vle_activity_type"], body["vle_activity_id"]),
        )
        if not found:
            raise Answer("404 Not Found", {"detail": "Activity not found"})
        activity = found[0]
        learner = learner_by_uid(institution["id"], body["vle_learner_uid"])
        if learner is None:
            raise Answer("404 Not Found", {"detail": "Learner not found"})
        now = datetime.now(UTC)
        external_ic, current = institution["external_ic"], None
        if not external_ic:
            if (
                learner["consent_id"] is None
                or learner["consent_accepted"] is None
                or learner["consent_rejected"] is not None
            ):
                raise Answer(
                    "406 Not Acceptable", {"status": 2, "message": "Missing Informed Consent"}
                )
            consents = rows(
                "SELECT id, version, valid_from FROM institution_informedconsent "
                "WHERE institution_id = %s",
                (institution["id"],),
            )
            current = current_consent(consents, now)
        learner = learner_values(learner, external_ic, current, now)
        if not learner["ic_status"].startswith("VALID"):
            raise Answer("406 Not Acceptable", {"status": 3, "message": "Invalid Informed Consent"})
        watching = rows(
            "SELECT ai.id FROM vle_activityinstrument ai WHERE ai.activity_id = %s",
            (activity[0],),
        )
        if watching:
            raise Answer("501 Not Implemented", {"detail": "P serves unwatched activities only."})
        access_key = uuid.uuid4()
        ((session_id,),) = rows(
            "INSERT INTO vle_assessmentsession (activity_id, learner_id, started_at, "
            "access_key) VALUES (%s, %s, %s, %s) RETURNING id",
            (activity[0], learner["id"], now, access_key),
        )
        rows(
            "INSERT INTO vle_course_learners (course_id, learner_id) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            (activity[1], learner["id"]),
        )
        token = learner_tokens(learner["id"], learner["learner_id"], session_id, minutes, now)
        launcher_token = uuid.uuid4()
        ((launcher_id,),) = rows(
            "INSERT INTO vle_launcher (user_id, session_id, target, token, refresh_minutes, "
            "expires_at, created_at) VALUES (%s, %s, 0, %s, %s, %s, %s) RETURNING id",
            (
                learner["id"],
                session_id,
                launcher_token,
                minutes,
                now + timedelta(minutes=minutes),
                now,
            ),
        )
        enabled_options = set(learner["send"]["send"]["enabled_options"])
        config = {
            "mode": "verification",
            "learner": {
                "id": learner["id"],
                "learner_id": learner["learner_id"],
                "first_name": learner["first_name"],
                "last_name": learner["last_name"],
                "picture": None,
                "institution_id": institution["id"],
            },
            "session_id": session_id,
            "activity": {
                "id": activity[0],
                "vle_id": vle_id,
                "name": activity[2],
                "description": activity[3],
                "enabled": activity[4],
                "start": iso(activity[5]),
                "end": iso(activity[6]),
                "allow_reject_capture": False,
                "redirect_reject_url": None,
                "rejected_message": None,
                "course": {
                    "id": activity[1],
                    "code": activity[7],
                    "description": activity[8],
                    "start": iso(activity[9]),
                    "end": iso(activity[10]),
                },
            },
            "accessibility": {
                name: name in enabled_options
                for name in ("high_contrast", "big_fonts", "text_to_speech")
            },
            "instruments": [],
            "sensors": {name: [] for name in ("camera", "keyboard", "microphone", "activity")},
            "token": token,
            "enrolment": {
                "missing_enrolments": False,
                "instruments": {},
                "activity_id": activity[0],
                "learner_id": learner["id"],
            },
            "logo_url": None,
            "api_url": os.environ["PUBLIC_API_URL"],
            "dashboard_url": os.environ["DASHBOARD_URL"],
            "base_url": os.environ["WEB_PLUGIN_URL"],
            "launcher": {"id": launcher_id, "token": str(launcher_token)},
            "locale": None,
            "options": {"floating_menu_initial_pos": "top-right"},
        }
        rows(
            "UPDATE vle_assessmentsession SET plugin_config = %s WHERE id = %s RETURNING id",
            (psycopg.types.json.Jsonb(config), session_id),
        )
    session_url = f"http://{environ['HTTP_HOST']}/api/v2/vle/session/{access_key}"
    return {
        "id": session_id,
        "data": {
            "id": session_id,
            "session": session_id,
            "connector": f"{session_url}/connector.js",
            "data": f"{session_url}/data.json",
        },
        "started_at": iso(now),
        "checked_at": None,
        "closed_at": None,
        "auto_closed": None,
        "activity": activity[0],
        "learner": learner["learner_id"],
        "token": token,
    }


# (method, path, handler, status)
ROUTES = [
    ("GET", re.compile(r"^/api/v2/vle/(\d+)/course/?$"), vle_courses, "200 OK"),
    ("GET", re.compile(r"^/api/v2/vle/(\d+)/course/(\d+)/activity/?$"), vle_activities, "200 OK"),
    (
        "POST",
        re.compile(r"^/api/v2/vle/(\d+)/course/(\d+)/learner/?$"),
        vle_course_learner_enrol,
        "201 Created",
    ),
    ("POST", re.compile(r"^/api/v2/vle/(\d+)/assessment/?$"), vle_assessment_open, "200 OK"),
    ("GET", re.compile(r"^/api/v2/institution/(\d+)/learner/?$"), institution_learners, "200 OK"),
    (
        "GET",
        re.compile(r"^/api/v2/institution/(\d+)/course/(\d+)/activity/(\d+)/report/?$"),
        activity_reports,
        "200 OK",
    ),
]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    QUERIES[0] = 0
    try:
        for method, pattern, handler, status in ROUTES:
            match = pattern.match(path)
            if match:
                if environ["REQUEST_METHOD"] != method:
                    raise Answer("405 Method Not Allowed", {"detail": "Method not allowed."})
                body = handler(environ, query, *(int(part) for part in match.groups()))
                return render(status, body, start_response)
        raise not_found()
    except Answer as answer:
        return render(answer.status, answer.body, start_response)
