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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError

from tesla.errors import Conflict, Forbidden
from vle.content import selectors, services
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


class StatementConflict(Conflict):
    """A statement id the LRS already holds with different content."""


class Cmi5Rejected(Forbidden):
    """A statement cmi5 forbids the AU to send."""


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


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and UUID_FORM.match(value) is not None


def _is_scaled_score(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -1 <= value <= 1


def _object_validate(target: Any) -> None:
    """The statement's `object`: an Activity (the default), an Agent or Group, a reference to
    another statement, or a SubStatement."""
    if not isinstance(target, dict):
        _fail("object", "Required, an object.")
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        if not _iri(target.get("id")):
            _fail("object.id", "Required, an IRI.")
    elif kind in ("Agent", "Group"):
        agent_validate(target, "object")
    elif kind == "StatementRef":
        if not _is_uuid(target.get("id")):
            _fail("object.id", "A StatementRef needs a UUID id.")
    elif kind != "SubStatement":
        _fail("object.objectType", "Unknown objectType.")


def _verb_validate(verb: Any) -> None:
    if not isinstance(verb, dict) or not _iri(verb.get("id")):
        _fail("verb.id", "Required, an IRI.")
    if "display" in verb and not isinstance(verb["display"], dict):
        _fail("verb.display", "Must be a language map.")


def _is_time(value: Any) -> bool:
    return isinstance(value, str) and selectors.parse_time(value) is not None


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _or_null(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


# A part of a statement checked when it is there: (dotted path, check, message). The parts
# inside another are checked after it, so a score is only looked for inside a result object.
Part = tuple[str, Callable[[Any], bool], str]
STATEMENT_ID: Part = ("id", _is_uuid, "Must be a UUID.")
OPTIONAL_PARTS: tuple[Part, ...] = (
    ("timestamp", _is_time, "Must be an ISO 8601 date and time."),
    ("result", _or_null(_is_object), "Must be an object."),
    ("result.score", _or_null(_is_object), "Must be an object."),
    ("result.score.scaled", _or_null(_is_scaled_score), "Must be a number from -1 to 1."),
    ("context", _or_null(_is_object), "Must be an object."),
    ("context.registration", _or_null(_is_uuid), "Must be a UUID."),
)


def _part_validate(
    statement: dict[str, Any], path: str, check: Callable[[Any], bool], message: str
) -> None:
    value: Any = statement
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            return
        value = value[name]
    if not check(value):
        _fail(path, message)


def statement_validate(statement: Any) -> dict[str, Any]:
    """Check the parts of an xAPI 1.0 statement an LRS must check (actor, verb, object, id,
    timestamp, result.score) and return it. Errors name the field, e.g. `verb.id`."""
    if not isinstance(statement, dict):
        _fail("statement", "Each statement must be a JSON object.")
    _part_validate(statement, *STATEMENT_ID)
    agent_validate(statement.get("actor"), "actor")
    _verb_validate(statement.get("verb"))
    _object_validate(statement.get("object"))
    for part in OPTIONAL_PARTS:
        _part_validate(statement, *part)
    return statement


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
        raise StatementConflict(f"Statement {statement_id} exists with other content.")
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


# SCORM 1.2's one lesson_status says both whether the SCO is complete and whether it passed.
SCORM12_COMPLETION = {
    "completed": True, "passed": True, "failed": True, "incomplete": False, "browsed": False,
}  # fmt: skip
SCORM2004_COMPLETION = {"completed": True, "incomplete": False}
SUCCESS = {"passed": True, "failed": False}


@dataclass(frozen=True)
class ScormValues:
    """What an outcome is made of, read from either edition's data model."""

    completion: bool | None
    success: bool | None
    raw: float | None
    low: float | None
    high: float | None
    scaled: float | None
    duration: str | None
    exit: str


def _scorm12_values(data: dict[str, str]) -> ScormValues:
    status = data.get("cmi.core.lesson_status", "")
    raw, low, high = (_number(data.get(f"cmi.core.score.{n}")) for n in ("raw", "min", "max"))
    scaled = None
    if raw is not None:
        low_, high_ = (low or 0.0), (100.0 if high is None else high)
        if high_ > low_:
            scaled = round((raw - low_) / (high_ - low_), 4)
    match = TIMESPAN_12.match(data.get("cmi.core.session_time", ""))
    return ScormValues(
        completion=SCORM12_COMPLETION.get(status),
        success=SUCCESS.get(status),
        raw=raw,
        low=low,
        high=high,
        scaled=scaled,
        duration=f"PT{int(match[1])}H{int(match[2])}M{match[3]}S" if match else None,
        exit=data.get("cmi.core.exit", ""),
    )


def _scorm2004_values(data: dict[str, str]) -> ScormValues:
    raw, low, high, scaled = (
        _number(data.get(f"cmi.score.{n}")) for n in ("raw", "min", "max", "scaled")
    )
    return ScormValues(
        completion=SCORM2004_COMPLETION.get(data.get("cmi.completion_status", "")),
        success=SUCCESS.get(data.get("cmi.success_status", "")),
        raw=raw,
        low=low,
        high=high,
        scaled=scaled,
        duration=data.get("cmi.session_time") or None,
        exit=data.get("cmi.exit", ""),
    )


def _score(values: ScormValues) -> dict[str, float]:
    """The xAPI score: the scaled score when it is in range, the raw one with its bounds
    when it lies within them."""
    score: dict[str, float] = {}
    if values.scaled is not None and -1 <= values.scaled <= 1:
        score["scaled"] = values.scaled
    if values.raw is not None:
        score["raw"] = values.raw
        low, high = values.low, values.high
        if low is not None and high is not None and low <= values.raw <= high:
            score.update(min=low, max=high)
    return score


def _scorm_outcome(standard: str, data: dict[str, str]) -> dict[str, Any]:
    """Completion, success, score, duration and exit of a SCORM data model snapshot, in
    xAPI's terms."""
    values = _scorm12_values(data) if standard == "scorm12" else _scorm2004_values(data)
    parts = {
        "completion": values.completion,
        "success": values.success,
        "score": _score(values) or None,
        "duration": values.duration or None,
    }
    return {
        "result": {key: value for key, value in parts.items() if value is not None},
        "exit": values.exit,
    }


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


def _scorm_commit_check(session: PreviewSession, standard: str, event: str, data: Any) -> None:
    expected = (
        "scorm12" if session.version.learning_standard in ("SCORM11", "SCORM12") else "scorm2004"
    )
    if standard != expected:
        _fail("standard", f"This course version plays with the {expected} runtime.")
    if event not in SCORM_EVENTS:
        _fail("event", f"One of {', '.join(SCORM_EVENTS)}.")
    if not isinstance(data, dict) or len(data) > SCORM_DATA_MAX_ELEMENTS:
        _fail("data", "An object of data model elements and their values.")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        _fail("data", "Element names and values must be strings.")


# An interaction's SCORM result as xAPI's `success`.
ANSWER_SUCCESS = {"correct": True, "wrong": False, "incorrect": False}


def _interaction_answered(session: PreviewSession, item: dict[str, Any]):
    """The object and result of the `answered` statement of one interaction."""
    definition: dict[str, Any] = {"type": INTERACTION_TYPE}
    if item["type"] in XAPI_INTERACTION_TYPES:
        definition["interactionType"] = item["type"]
    if item["description"]:
        definition["description"] = {"und": item["description"]}
    if item["patterns"]:
        definition["correctResponsesPattern"] = item["patterns"]
    answer: dict[str, Any] = {"response": item["response"]}
    if item["result"] in ANSWER_SUCCESS:
        answer["success"] = ANSWER_SUCCESS[item["result"]]
    target = {
        "objectType": "Activity",
        "id": f"{session.activity_id}/interactions/{quote(item['id'], safe='')}",
        "definition": definition,
    }
    return target, answer


class _ScormRecorder:
    """Records the statements of one SCORM commit, about the session's activity."""

    def __init__(self, session: PreviewSession):
        self.session = session
        self.activity = {
            "objectType": "Activity",
            "id": session.activity_id,
            "definition": {
                "name": {"und": session.version.title or session.version.course.course_id},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        }

    def record(self, key: str, verb: str, *, target=None, result=None, parent=False) -> None:
        context: dict[str, Any] = {
            "registration": str(self.session.registration),
            "contextActivities": {"category": [{"id": SCORM_PROFILE}]},
        }
        if parent:
            context["contextActivities"]["parent"] = [{"id": self.session.activity_id}]
        statement: dict[str, Any] = {
            "actor": preview_actor(),
            "verb": {"id": VERB + verb, "display": {"en-US": verb}},
            "object": target or self.activity,
            "context": context,
        }
        if result:
            statement["result"] = result
        _record_once(session=self.session, key=key, statement=statement)


def scorm_commit_record(*, session: PreviewSession, standard: str, event: str, data: Any) -> int:
    """Turn what a SCO stored in the SCORM data model into xAPI statements, as SCORM Cloud
    does: `initialized`; `completed`, `passed`/`failed` and one `answered` per interaction as
    they appear; `terminated` (or `suspended`) when the SCO ends. Each has an id derived from
    what it says, so a repeated commit records nothing twice. Returns how many were new."""
    _scorm_commit_check(session, standard, event, data)
    before = Statement.objects.filter(registration=session.registration).count()
    recorder = _ScormRecorder(session)
    outcome = _scorm_outcome(standard, data)
    result = outcome["result"]
    recorder.record("initialized", "initialized")
    if result.get("completion"):
        recorder.record("completed", "completed", result={"completion": True})
    if "success" in result:
        verb = "passed" if result["success"] else "failed"
        graded = {key: result[key] for key in ("success", "score") if key in result}
        recorder.record(f"{verb}:{json.dumps(graded, sort_keys=True)}", verb, result=graded)
    for item in _scorm_interactions(standard, data):
        target, answer = _interaction_answered(session, item)
        key = f"answered:{item['index']}:{item['id']}:{item['response']}:{item['result']}"
        recorder.record(key, "answered", target=target, result=answer, parent=True)
    if event in ("finish", "terminate"):
        verb = "suspended" if outcome["exit"] == "suspend" else "terminated"
        recorder.record("exit", verb, result=result or None)
    return Statement.objects.filter(registration=session.registration).count() - before
