"""Role checks. The view says which roles may do what (`access`), the caller's roles come
from `TeslaViewSet.caller_roles()`; tenancy itself is enforced earlier, by resolving the URL's
parents through querysets limited to the caller (a foreign parent is a 404)."""

from rest_framework.permissions import BasePermission

GLOBAL_ADMIN = "GLOBAL_ADMIN"
ADMIN = "ADMIN"
LEGAL = "LEGAL"
SEND = "SEND"
DATA = "DATA"
INSTRUCTOR = "INSTRUCTOR"
LEARNER = "LEARNER"
MEMBER = "MEMBER"
COURSE_INSTRUCTOR = "COURSE_INSTRUCTOR"
COURSE_LEARNER = "COURSE_LEARNER"
VLE = "VLE"
PROVIDER = "PROVIDER"
LEARNER_TOKEN = "LEARNER_TOKEN"

INSTITUTION_ROLES = (INSTRUCTOR, LEARNER, ADMIN, SEND, LEGAL, DATA)

ACTION_GROUPS = {
    "list": "read",
    "retrieve": "read",
    "create": "create",
    "update": "update",
    "partial_update": "update",
    "destroy": "delete",
}


class RoleAccess(BasePermission):
    """Grants the request when the caller holds one of the roles the view allows for it."""

    def has_permission(self, request, view) -> bool:
        return view.has_access(request)
