"""Special educational needs (SEND): the institution's categories and their assignment to
learners."""

import re
from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError

from institution.models import (
    Institution,
    Learner,
    SENDCategory,
    SENDLearner,
)
from tesla.errors import Conflict
from tesla.services import model_update


def _instrument_ids() -> set[int]:
    # Looked up by name: the vle app depends on this one, never the other way round.
    instrument = apps.get_model("vle", "Instrument")
    return set(instrument.objects.values_list("pk", flat=True))


def send_category_clean_data(data) -> dict:
    """A SEND category's `data`: `enabled_options` (a subset of the accessibility options)
    and `disabled_instruments` (ids of existing instruments), both optional lists, nothing
    else. Returns both lists (empty when absent), without duplicates, ids as integers."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(
            {"data": ["Expected an object with enabled_options/disabled_instruments."]}
        )
    unknown = sorted(set(data) - {"enabled_options", "disabled_instruments"})
    if unknown:
        raise ValidationError({"data": [f"Unknown keys: {', '.join(map(str, unknown))}."]})
    options = data.get("enabled_options")
    options = [] if options is None else options
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValidationError({"data": ["enabled_options must be a list of option names."]})
    wrong = [o for o in options if o not in SENDCategory.ENABLED_OPTIONS]
    if wrong:
        allowed = ", ".join(SENDCategory.ENABLED_OPTIONS)
        raise ValidationError({"data": [f"Unknown options {wrong}; allowed: {allowed}."]})
    instruments = data.get("disabled_instruments")
    instruments = [] if instruments is None else instruments
    if not isinstance(instruments, list):
        raise ValidationError({"data": ["disabled_instruments must be a list of instrument ids."]})
    ids = []
    for item in instruments:
        # Form selects send ids as text: "3" is instrument 3.
        if isinstance(item, str) and re.fullmatch(r"[0-9]{1,18}", item.strip()):
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int):
            raise ValidationError(
                {"data": ["disabled_instruments must be a list of instrument ids."]}
            )
        ids.append(item)
    missing = sorted(set(ids) - _instrument_ids()) if ids else []
    if missing:
        raise ValidationError({"data": [f"Unknown instruments: {missing}."]})
    return {
        "enabled_options": list(dict.fromkeys(options)),
        "disabled_instruments": list(dict.fromkeys(ids)),
    }


def send_category_create(*, institution: Institution, description: str, data=None):
    """A new kind of special educational need of the institution."""
    return SENDCategory.objects.create(
        institution=institution, description=description, data=send_category_clean_data(data)
    )


def send_category_update(*, category: SENDCategory, **changes) -> SENDCategory:
    """Change a SEND category's description or data."""
    if "data" in changes:
        changes["data"] = send_category_clean_data(changes["data"])
    model_update(instance=category, data=changes)
    return category


def _check_send_assignment(*, learner: Learner, category: SENDCategory, assignment=None):
    if category.institution_id != learner.institution_user.institution_id:
        raise ValidationError({"category": ["The category belongs to another institution."]})
    others = SENDLearner.objects.filter(learner=learner, category=category)
    if assignment is not None:
        others = others.exclude(pk=assignment.pk)
    if others.exists():
        raise Conflict("The learner already has this category.", field="category")


def send_learner_assign(
    *, learner: Learner, category: SENDCategory, expires_at: datetime | None = None
) -> SENDLearner:
    """Give a learner a SEND category of their institution, until `expires_at` or for good."""
    _check_send_assignment(learner=learner, category=category)
    return SENDLearner.objects.create(learner=learner, category=category, expires_at=expires_at)


def send_learner_update(*, assignment: SENDLearner, **changes) -> SENDLearner:
    """Change the category or expiry of a learner's SEND assignment."""
    if "category" in changes:
        _check_send_assignment(
            learner=assignment.learner, category=changes["category"], assignment=assignment
        )
    model_update(instance=assignment, data=changes)
    return assignment
