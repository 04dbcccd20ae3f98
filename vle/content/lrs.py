"""The statements a preview session records: xAPI statements the content sends to the
session's LRS endpoint, statements translated from SCORM runtime commits (as SCORM Cloud
does), and the xAPI documents (activity state, agent profile) content keeps between pages.

Statements are kept whole in `Statement.statement`, with `id`, `stored`, `timestamp`,
`authority` and `version` filled in as an LRS does; the columns beside it are what the
statement queries filter on."""

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from vle.content import services
from vle.content.models import PreviewDocument, PreviewSession, Statement
from vle.content.preview import (
    cmi5_context_template,
    cmi5_launch_data,
    preview_actor,
    session_activity,
)

XAPI_VERSION = "1.0.3"
LAUNCH_DATA_STATE = "LMS.LaunchData"
VERB = "http://adlnet.gov/expapi/verbs/"
VOIDED = VERB + "voided"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
SCORM_PROFILE = "https://w3id.org/xapi/scorm"
INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
UUID_FORM = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class StatementConflict(Exception):
    """A statement id the LRS already holds with different content."""


class Cmi5Rejected(Exception):
    """A statement cmi5 forbids the AU to send (it is refused with 403)."""


# --- Validation -----------------------------------------------------------------------------


def _fail(field: str, message: str):
    raise ValidationError({field: message})


def agent_validate(agent: Any, field: str) -> None:
    """An Agent or Group: an object identified by exactly one inverse functional identifier
    (a Group may instead list its members)."""
    if not isinstance(agent, dict):
        _fail(field, "Must be an object.")
    kind = agent.get("objectType", "Agent")
    if kind not in ("Agent", "Group"):
        _fail(field, "objectType must be Agent or Group.")
    identifiers = [key for key in IFI_KEYS if key in agent]
    if len(identifiers) > 1:
        _fail(field, "Must carry exactly one identifier (mbox, mbox_sha1sum, openid, account).")
    if not identifiers and not (kind == "Group" and isinstance(agent.get("member"), list)):
        _fail(field, "Must carry an identifier (mbox, mbox_sha1sum, openid, account).")
    if "mbox" in agent and not str(agent["mbox"]).startswith("mailto:"):
        _fail(field, "mbox must be a mailto: IRI.")
    if "account" in agent:
        account = agent["account"]
        if not (
            isinstance(account, dict)
            and isinstance(account.get("homePage"), str)
            and isinstance(account.get("name"), str)
        ):
            _fail(field, "account needs homePage and name strings.")


def _iri(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value) is not None


def statement_validate(statement: Any) -> dict[str, Any]:
    """Check the parts of an xAPI 1.0 statement an LRS must check (actor, verb, object, id,
    timestamp, result.score) and return it. Errors name the field, e.g. `verb.id`."""
    if not isinstance(statement, dict):
        _fail("statement", "Each statement must be a JSON object.")
    if "id" in statement and not (
        isinstance(statement["id"], str) and UUID_FORM.match(statement["id"])
    ):
        _fail("id", "Must be a UUID.")
    agent_validate(statement.get("actor"), "actor")
    verb = statement.get("verb")
    if not isinstance(verb, dict) or not _iri(verb.get("id")):
        _fail("verb.id", "Required, an IRI.")
    if "display" in verb and not isinstance(verb["display"], dict):
        _fail("verb.display", "Must be a language map.")
    target = statement.get("object")
    if not isinstance(target, dict):
        _fail("object", "Required, an object.")
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        if not _iri(target.get("id")):
            _fail("object.id", "Required, an IRI.")
    elif kind in ("Agent", "Group"):
        agent_validate(target, "object")
    elif kind == "StatementRef":
        if not (isinstance(target.get("id"), str) and UUID_FORM.match(target["id"])):
            _fail("object.id", "A StatementRef needs a UUID id.")
    elif kind != "SubStatement":
        _fail("object.objectType", "Unknown objectType.")
    if "timestamp" in statement:
        stamp = statement["timestamp"]
        if not isinstance(stamp, str) or parse_time(stamp) is None:
            _fail("timestamp", "Must be an ISO 8601 date and time.")
    result = statement.get("result")
    if result is not None:
        if not isinstance(result, dict):
            _fail("result", "Must be an object.")
        score = result.get("score")
        if score is not None:
            if not isinstance(score, dict):
                _fail("result.score", "Must be an object.")
            scaled = score.get("scaled")
            if scaled is not None and (
                not isinstance(scaled, int | float)
                or isinstance(scaled, bool)
                or not -1 <= scaled <= 1
            ):
                _fail("result.score.scaled", "Must be a number from -1 to 1.")
    context = statement.get("context")
    if context is not None:
        if not isinstance(context, dict):
            _fail("context", "Must be an object.")
        registration = context.get("registration")
        if registration is not None and not (
            isinstance(registration, str) and UUID_FORM.match(registration)
        ):
            _fail("context.registration", "Must be a UUID.")
    return statement


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 date and time (UTC when it names no zone), or None."""
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed and timezone.is_naive(parsed) else parsed


# --- Storing ------------------------------------------------------------------------------


def _same_statement(stored: dict[str, Any], received: dict[str, Any]) -> bool:
    """Whether a statement sent again says what the stored one says (what the LRS filled in,
    such as a missing timestamp, does not count)."""
    ignored = {"stored", "authority", "version", "id"}
    if "timestamp" not in received:
        ignored.add("timestamp")

    def comparable(statement):
        return json.dumps({k: v for k, v in statement.items() if k not in ignored}, sort_keys=True)

    return comparable(stored) == comparable(received)


PREVIEW_AUTHORITY = {
    "objectType": "Agent",
    "name": "TeSLA preview",
    "account": {"homePage": settings.PUBLIC_API_URL, "name": "preview"},
}


def statement_store(*, session: PreviewSession, statement: dict[str, Any]) -> Statement:
    """Record one valid statement for the session's course version and return it. Sending a
    statement again with the same id is harmless; the same id with other content raises
    `StatementConflict`."""
    version = session.version
    statement_id = statement.get("id") or str(uuid.uuid4())
    existing = Statement.objects.filter(pk=statement_id).first()
    if existing is not None:
        if existing.course_id == version.course_id and _same_statement(
            existing.statement, statement
        ):
            return existing
        raise StatementConflict(statement_id)
    full = {**statement, "id": statement_id, "authority": PREVIEW_AUTHORITY}
    return services.statement_record(course=version.course, version=version, statement=full)


def statements_receive(*, session: PreviewSession, body: Any, statement_id: str = "") -> list[str]:
    """Validate and record what content POSTs or PUTs to `statements`: one statement or a
    list of them, all or none. For a PUT, `statement_id` is the id from the query string."""
    batch = body if isinstance(body, list) else [body]
    if not batch:
        _fail("statements", "No statement was sent.")
    validated = []
    for statement in batch:
        statement_validate(statement)
        if statement_id:
            if statement.get("id", statement_id) != statement_id:
                _fail("statementId", "Differs from the statement's id.")
            statement = {**statement, "id": statement_id}
        if session.version.learning_standard == "CMI5" and statement["verb"]["id"] == VOIDED:
            raise Cmi5Rejected("cmi5 content may not void statements.")
        validated.append(statement)
    return [str(statement_store(session=session, statement=item).pk) for item in validated]


def _record_once(*, session: PreviewSession, key: str, statement: dict[str, Any]) -> None:
    """Record a statement the server composes, under an id derived from the session and
    `key`, so sending the same data again records nothing new."""
    statement_id = str(uuid.uuid5(session.registration, key))
    if not Statement.objects.filter(pk=statement_id).exists():
        statement_store(session=session, statement={**statement, "id": statement_id})


def cmi5_launched_record(*, session: PreviewSession, activity: dict[str, Any]) -> None:
    """The `launched` statement a cmi5 LMS writes before the AU starts (cmi5 9.3.1)."""
    publisher = activity.get("externalIdentifier") or activity.get("itemIdentifier") or ""
    context = cmi5_context_template(session, publisher)
    context["registration"] = str(session.registration)
    context["contextActivities"]["category"] = [{"id": CMI5_CATEGORY}]
    launch = cmi5_launch_data(session, activity)
    context["extensions"].update(
        {
            "https://w3id.org/xapi/cmi5/context/extensions/launchmode": launch["launchMode"],
            "https://w3id.org/xapi/cmi5/context/extensions/moveon": launch["moveOn"],
        }
    )
    if "launchParameters" in launch:
        context["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/launchparameters"] = (
            launch["launchParameters"]
        )
    _record_once(
        session=session,
        key="launched",
        statement={
            "actor": preview_actor(),
            "verb": {"id": VERB + "launched", "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": session.activity_id},
            "context": context,
        },
    )


# --- Documents (activity state, agent profile) -------------------------------------------


def _agent_key(agent: dict[str, Any]) -> str:
    for key in IFI_KEYS:
        if key in agent:
            value = agent[key]
            if isinstance(value, dict):
                value = f"{value.get('homePage')}|{value.get('name')}"
            return f"{key}:{value}"
    return json.dumps(agent, sort_keys=True)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def document_scope(
    kind: str, *, agent: dict[str, Any], activity_id: str = "", registration: str = ""
) -> str:
    return _digest(kind, activity_id, _agent_key(agent), registration)


def launch_data_document(session: PreviewSession) -> bytes:
    """The cmi5 `LMS.LaunchData` of a session, as the AU reads it from the state API."""
    return json.dumps(cmi5_launch_data(session, session_activity(session))).encode()


def document_get(*, session: PreviewSession, scope: str, document_id: str):
    return PreviewDocument.objects.filter(session=session, key=_digest(scope, document_id)).first()


def document_ids(*, session: PreviewSession, scope: str, since: datetime | None) -> list[str]:
    documents = PreviewDocument.objects.filter(session=session, scope=scope)
    if since is not None:
        documents = documents.filter(updated_at__gt=since)
    return list(documents.order_by("document_id").values_list("document_id", flat=True))


def document_put(
    *,
    session: PreviewSession,
    kind: str,
    scope: str,
    document_id: str,
    content: bytes,
    content_type: str,
    merge: bool,
) -> None:
    """Store a document (PUT), or merge JSON into it (POST): the xAPI document rules, where
    merging needs JSON on both sides."""
    key = _digest(scope, document_id)
    document = PreviewDocument.objects.select_for_update().filter(session=session, key=key).first()
    if merge and document is not None:
        try:
            old = json.loads(bytes(document.content))
            new = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            _fail("content", "Merging (POST) needs JSON objects on both sides.")
        if not isinstance(old, dict) or not isinstance(new, dict):
            _fail("content", "Merging (POST) needs JSON objects on both sides.")
        content = json.dumps({**old, **new}).encode()
        content_type = "application/json"
    elif merge:
        try:
            if not isinstance(json.loads(content), dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            _fail("content", "A POSTed document must be a JSON object.")
    PreviewDocument.objects.update_or_create(
        session=session,
        key=key,
        defaults={
            "kind": kind,
            "scope": scope,
            "document_id": document_id,
            "content": content,
            "content_type": content_type or "application/octet-stream",
        },
    )


def document_delete(*, session: PreviewSession, scope: str, document_id: str = "") -> None:
    documents = PreviewDocument.objects.filter(session=session, scope=scope)
    if document_id:
        documents = documents.filter(key=_digest(scope, document_id))
    documents.delete()


# --- SCORM runtime commits ----------------------------------------------------------------

SCORM_EVENTS = ("initialize", "commit", "finish", "terminate")
SCORM_DATA_MAX_ELEMENTS = 5000
INTERACTION_KEY = re.compile(r"^cmi\.interactions\.(\d+)\.(.+)$")
TIMESPAN_12 = re.compile(r"^(\d{1,4}):(\d{2}):(\d{2}(?:\.\d{1,2})?)$")
XAPI_INTERACTION_TYPES = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
}  # fmt: skip


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _scorm_outcome(standard: str, data: dict[str, str]) -> dict[str, Any]:
    """Completion, success, score, duration and exit of a SCORM data model snapshot, in
    xAPI's terms (SCORM 1.2's one lesson_status gives both completion and success)."""
    if standard == "scorm12":
        status = data.get("cmi.core.lesson_status", "")
        completion = {"completed": True, "passed": True, "failed": True}.get(status)
        if status in ("incomplete", "browsed"):
            completion = False
        success = {"passed": True, "failed": False}.get(status)
        raw, low, high = (_number(data.get(f"cmi.core.score.{n}")) for n in ("raw", "min", "max"))
        scaled = None
        if raw is not None:
            low_, high_ = (low or 0.0), (100.0 if high is None else high)
            if high_ > low_:
                scaled = round((raw - low_) / (high_ - low_), 4)
        match = TIMESPAN_12.match(data.get("cmi.core.session_time", ""))
        duration = f"PT{int(match[1])}H{int(match[2])}M{match[3]}S" if match else None
        exit_ = data.get("cmi.core.exit", "")
    else:
        completion = {"completed": True, "incomplete": False}.get(
            data.get("cmi.completion_status", "")
        )
        success = {"passed": True, "failed": False}.get(data.get("cmi.success_status", ""))
        raw, low, high, scaled = (
            _number(data.get(f"cmi.score.{n}")) for n in ("raw", "min", "max", "scaled")
        )
        duration = data.get("cmi.session_time") or None
        exit_ = data.get("cmi.exit", "")
    score: dict[str, float] = {}
    if scaled is not None and -1 <= scaled <= 1:
        score["scaled"] = scaled
    if raw is not None:
        score["raw"] = raw
        if low is not None and high is not None and low <= raw <= high:
            score.update(min=low, max=high)
    result: dict[str, Any] = {}
    if completion is not None:
        result["completion"] = completion
    if success is not None:
        result["success"] = success
    if score:
        result["score"] = score
    if duration:
        result["duration"] = duration
    return {"result": result, "exit": exit_}


def _scorm_interactions(standard: str, data: dict[str, str]) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        match = INTERACTION_KEY.match(key)
        if match:
            found.setdefault(int(match[1]), {})[match[2]] = value
    response_key = "student_response" if standard == "scorm12" else "learner_response"
    interactions = []
    for index in sorted(found):
        values = found[index]
        if not values.get("id"):
            continue
        patterns = [
            values[name]
            for name in sorted(
                values, key=lambda n: [int(p) if p.isdigit() else p for p in n.split(".")]
            )
            if name.startswith("correct_responses.") and name.endswith(".pattern")
        ]
        interactions.append(
            {
                "index": index,
                "id": values["id"],
                "type": values.get("type", ""),
                "response": values.get(response_key, ""),
                "result": values.get("result", ""),
                "description": values.get("description", ""),
                "patterns": patterns,
            }
        )
    return interactions


def scorm_commit_record(*, session: PreviewSession, standard: str, event: str, data: Any) -> int:
    """Turn what a SCO stored in the SCORM data model into xAPI statements, as SCORM Cloud
    does: `initialized`; `completed`, `passed`/`failed` and one `answered` per interaction as
    they appear; `terminated` (or `suspended`) when the SCO ends. Each has an id derived from
    what it says, so a repeated commit records nothing twice. Returns how many were new."""
    expected = (
        "scorm12" if session.version.learning_standard in ("SCORM11", "SCORM12") else ("scorm2004")
    )
    if standard != expected:
        _fail("standard", f"This course version plays with the {expected} runtime.")
    if event not in SCORM_EVENTS:
        _fail("event", f"One of {', '.join(SCORM_EVENTS)}.")
    if not isinstance(data, dict) or len(data) > SCORM_DATA_MAX_ELEMENTS:
        _fail("data", "An object of data model elements and their values.")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        _fail("data", "Element names and values must be strings.")
    before = Statement.objects.filter(registration=session.registration).count()
    activity = {
        "objectType": "Activity",
        "id": session.activity_id,
        "definition": {
            "name": {"und": session.version.title or session.version.course.course_id},
            "type": "http://adlnet.gov/expapi/activities/lesson",
        },
    }
    context = {
        "registration": str(session.registration),
        "contextActivities": {"category": [{"id": SCORM_PROFILE}]},
    }

    def record(key: str, verb: str, *, target=None, result=None, parent=False) -> None:
        statement: dict[str, Any] = {
            "actor": preview_actor(),
            "verb": {"id": VERB + verb, "display": {"en-US": verb}},
            "object": target or activity,
            "context": json.loads(json.dumps(context)),
        }
        if parent:
            statement["context"]["contextActivities"]["parent"] = [{"id": session.activity_id}]
        if result:
            statement["result"] = result
        _record_once(session=session, key=key, statement=statement)

    outcome = _scorm_outcome(standard, data)
    result = outcome["result"]
    record("initialized", "initialized")
    if result.get("completion"):
        record("completed", "completed", result={"completion": True})
    if "success" in result:
        verb = "passed" if result["success"] else "failed"
        graded = {key: result[key] for key in ("success", "score") if key in result}
        record(f"{verb}:{json.dumps(graded, sort_keys=True)}", verb, result=graded)
    for item in _scorm_interactions(standard, data):
        definition: dict[str, Any] = {"type": INTERACTION_TYPE}
        if item["type"] in XAPI_INTERACTION_TYPES:
            definition["interactionType"] = item["type"]
        if item["description"]:
            definition["description"] = {"und": item["description"]}
        if item["patterns"]:
            definition["correctResponsesPattern"] = item["patterns"]
        answer: dict[str, Any] = {"response": item["response"]}
        if item["result"] == "correct":
            answer["success"] = True
        elif item["result"] in ("wrong", "incorrect"):
            answer["success"] = False
        target = {
            "objectType": "Activity",
            "id": f"{session.activity_id}/interactions/{quote(item['id'], safe='')}",
            "definition": definition,
        }
        key = f"answered:{item['index']}:{item['id']}:{item['response']}:{item['result']}"
        record(key, "answered", target=target, result=answer, parent=True)
    if event in ("finish", "terminate"):
        verb = "suspended" if outcome["exit"] == "suspend" else "terminated"
        record("exit", verb, result=result or None)
    return Statement.objects.filter(registration=session.registration).count() - before
