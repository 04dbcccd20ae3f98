"""Activities of a course, as its VLE syncs them or as the institution records them ahead of
the VLE's own sync.

(`vle_activity_type`, `vle_activity_id`) is unique within the VLE. The two doors answer a
pair already in use differently, and that is the only difference between them: the VLE door
with a 409 (the spec's rule for a unique value, which the plugins handle), the institution
door with a 400 (what its dashboard clients and tests expect). A request that loses a race to a
concurrent one gets the same answer as one the check before the write caught.
"""

from typing import Any

from tesla.services import model_update
from vle.models import VLE, Activity, Course
from vle.services.unique import taken, write_unique

ACTIVITY_TAKEN = "This VLE already has an activity with this vle_activity_type and vle_activity_id."


def activity_vle_id_taken(
    *, vle: VLE, vle_activity_type: str, vle_activity_id: str, activity: Activity | None = None
) -> bool:
    """Whether another activity of the VLE already has this (type, id)."""
    others = Activity.objects.filter(
        vle=vle, vle_activity_type=vle_activity_type, vle_activity_id=vle_activity_id
    )
    if activity is not None:
        others = others.exclude(pk=activity.pk)
    return others.exists()


def _activity_taken(conflict: bool) -> Exception:
    return taken(field="vle_activity_id", message=ACTIVITY_TAKEN, conflict=conflict)


def activity_create(
    *,
    course: Course,
    vle_activity_type: str,
    vle_activity_id: str,
    taken_is_conflict: bool,
    **values: Any,
) -> Activity:
    """A new activity of the course, in the course's VLE, where its (type, id) must be new:
    otherwise a 409 (`taken_is_conflict`, the VLE door) or a 400 (the institution door), both
    naming `vle_activity_id`. Unless told otherwise it starts disabled: an instructor switches
    TeSLA on for it, as in the original."""
    refusal = _activity_taken(taken_is_conflict)
    if activity_vle_id_taken(
        vle=course.vle, vle_activity_type=vle_activity_type, vle_activity_id=vle_activity_id
    ):
        raise refusal
    return write_unique(
        lambda: Activity.objects.create(
            vle=course.vle,
            course=course,
            vle_activity_type=vle_activity_type,
            vle_activity_id=vle_activity_id,
            **values,
        ),
        refusal=refusal,
    )


def activity_update(*, activity: Activity, **changes: Any) -> Activity:
    """Change an activity's own fields; only the given fields are written. Its VLE and course
    never change, and its (type, id) must stay unique within the VLE (409)."""
    kind = changes.get("vle_activity_type", activity.vle_activity_type)
    ident = changes.get("vle_activity_id", activity.vle_activity_id)
    if {"vle_activity_type", "vle_activity_id"} & changes.keys() and activity_vle_id_taken(
        vle=activity.vle, vle_activity_type=kind, vle_activity_id=ident, activity=activity
    ):
        raise _activity_taken(True)
    write_unique(
        lambda: model_update(instance=activity, data=changes), refusal=_activity_taken(True)
    )
    return activity
