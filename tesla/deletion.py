"""Deleting what owns verification evidence, and the files that go with deleted rows.

Verification evidence (requests with their samples, results, reports, histograms, enrolment
models) is what an institution keeps to judge an assessment; one DELETE of an activity, a
course, a VLE, a learner, a user or an institution would cascade over all of it. So such a
deletion is refused with a 409 that says what the object owns, unless the caller forces it
with `?force=true`, which only an institution admin or a global admin may do (never a VLE).
A forced deletion also removes the stored files (see `delete_file_after_commit`), which is
how a learner's personal data is erased (README, "Erasing a learner's data").

The reports app knows what evidence is and registers how to count it (dependencies point from
the apps to `tesla`)."""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Model

from tesla.errors import Conflict, Forbidden

# function(owner) -> {kind of evidence: how many rows the owner's deletion would destroy}
EVIDENCE_COUNTERS: list[Callable[[Model], dict[str, int]]] = []
FORCE_PARAMETER = "force"


def register_evidence_counter(counter: Callable[[Model], dict[str, int]]) -> None:
    EVIDENCE_COUNTERS.append(counter)


def evidence_owned_by(owner: Model) -> dict[str, int]:
    """The verification evidence that deleting `owner` would destroy, by kind (only kinds
    with rows)."""
    owned: dict[str, int] = {}
    for counter in EVIDENCE_COUNTERS:
        for kind, count in counter(owner).items():
            if count:
                owned[kind] = owned.get(kind, 0) + count
    return owned


def force_requested(request) -> bool:
    return str(request.query_params.get(FORCE_PARAMETER, "")).lower() in {"1", "true", "yes"}


def owner_delete(*, owner: Model, delete: Callable[[], None], force: bool, may_force: bool) -> None:
    """Run `delete()` unless `owner` holds verification evidence: then it is a 409 naming
    what it owns, or with `force` a deletion of everything (403 for callers who may not
    force)."""
    if force and not may_force:
        raise Forbidden("Only an institution admin or a global admin may force a deletion.")
    owned = evidence_owned_by(owner)
    if owned and not force:
        summary = ", ".join(f"{count} {kind}" for kind, count in owned.items())
        raise Conflict(
            f"This {owner._meta.verbose_name} owns verification evidence ({summary}). "
            f"An institution admin may delete it with everything it owns with "
            f"?{FORCE_PARAMETER}=true.",
            extra={"owns": owned},
        )
    delete()


def delete_file_after_commit(file) -> None:
    """Remove a stored file once the transaction that dropped (or replaced) its row commits:
    files are not transactional, and a rolled-back request must keep them."""
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))


def delete_files_with_rows(model: type[Model], *field_names: str) -> None:
    """Connect a post_delete receiver so that the files of `model`'s `field_names` go with
    every deleted row, cascades included."""
    from django.db.models.signals import post_delete

    def receiver(sender, instance, **kwargs):
        for name in field_names:
            delete_file_after_commit(getattr(instance, name))

    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"files-{model._meta}")
