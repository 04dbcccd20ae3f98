"""Course groups: the institution's tree of folders of courses."""

from django.core.exceptions import ValidationError

from institution.models import (
    CourseGroup,
    Institution,
)
from tesla.services import model_update


def course_group_check_parent(
    *, group: CourseGroup | None, parent: CourseGroup | None, institution
):
    """A group's parent is a group of the same institution and never the group itself or one
    of its descendants (the groups form a tree)."""
    if parent is None:
        return
    if parent.institution_id != institution.pk:
        raise ValidationError({"parent": ["The parent group belongs to another institution."]})
    if group is None:
        return
    # One query for the institution's whole tree, then walk up from the new parent.
    ancestors = dict(
        CourseGroup.objects.filter(institution_id=institution.pk).values_list("pk", "parent_id")
    )
    node, seen = parent.pk, set()
    while node is not None and node not in seen:
        if node == group.pk:
            raise ValidationError(
                {"parent": ["A group cannot be inside itself or one of its subgroups."]}
            )
        seen.add(node)
        node = ancestors.get(node)


def course_group_create(
    *,
    institution: Institution,
    name: str,
    description: str | None = None,
    parent: CourseGroup | None = None,
) -> CourseGroup:
    """A new folder of courses, at the root or inside another group of the institution."""
    course_group_check_parent(group=None, parent=parent, institution=institution)
    return CourseGroup.objects.create(
        institution=institution, name=name, description=description, parent=parent
    )


def course_group_update(*, group: CourseGroup, **changes) -> CourseGroup:
    """Rename, describe or move a group (never into its own subtree)."""
    if "parent" in changes:
        course_group_check_parent(
            group=group, parent=changes["parent"], institution=group.institution
        )
    model_update(instance=group, data=changes)
    return group
