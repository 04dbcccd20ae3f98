"""Dashboard UI options: the global routes (global admins) and the institutions' switches
of them."""

from django.core.exceptions import ValidationError

from institution.models import (
    Institution,
    InstitutionUser,
    UIOption,
)
from institution.selectors import global_ui_routes
from tesla.errors import Conflict
from tesla.permissions import INSTITUTION_ROLES
from tesla.services import model_update

ROUTE_TAKEN = "This route already exists"


def _check_ui_option(
    *, institution: Institution, route: str, user: InstitutionUser | None, option=None
) -> None:
    if route not in global_ui_routes():
        raise ValidationError({"route": ["Invalid Route"]})
    if user is not None and user.institution_id != institution.pk:
        raise ValidationError({"user": ["The user belongs to another institution."]})
    others = UIOption.objects.filter(institution=institution, route=route, user=user)
    if option is not None:
        others = others.exclude(pk=option.pk)
    if others.exists():
        raise Conflict(ROUTE_TAKEN, field="route")


def ui_option_create(
    *,
    institution: Institution,
    route: str,
    enabled: bool = False,
    user: InstitutionUser | None = None,
) -> UIOption:
    """A switch of a dashboard route for the institution (or one of its users); only a
    disabled switch (`enabled` false) has an effect: it hides the route."""
    _check_ui_option(institution=institution, route=route, user=user)
    return UIOption.objects.create(institution=institution, route=route, enabled=enabled, user=user)


def ui_option_update(*, option: UIOption, **changes) -> UIOption:
    """Change an institution's route switch (same rules as on creation)."""
    route = changes.get("route", option.route)
    user = changes.get("user", option.user)
    _check_ui_option(institution=option.institution, route=route, user=user, option=option)
    model_update(instance=option, data=changes)
    return option


def ui_roles_normalise(roles) -> str | None:
    """Roles of a global route: names from the role vocabulary, given as a list or a comma
    separated string, stored upper-cased and comma-joined; none means everyone."""
    vocabulary = (*INSTITUTION_ROLES, "GLOBAL_ADMIN")
    if roles is None:
        return None
    if isinstance(roles, str):
        items = roles.split(",")
    elif isinstance(roles, list) and all(isinstance(item, str) for item in roles):
        items = roles
    else:
        raise ValidationError(
            {"roles": ["Expected a list of role names or a comma separated string."]}
        )
    names = list(dict.fromkeys(item.strip().upper() for item in items if item.strip()))
    wrong = [name for name in names if name not in vocabulary]
    if wrong:
        raise ValidationError(
            {"roles": [f"Unknown roles {wrong}; allowed: {', '.join(vocabulary)}."]}
        )
    joined = ",".join(names) or None
    if joined is not None and len(joined) > UIOption._meta.get_field("roles").max_length:
        raise ValidationError({"roles": ["Too many roles."]})
    return joined


def _check_route_free(route: str) -> None:
    if route in global_ui_routes():
        raise Conflict(ROUTE_TAKEN, field="route")


def ui_route_create(*, route: str, enabled: bool = False, roles=None) -> UIOption:
    """A new global dashboard route, for everyone or for the given roles."""
    _check_route_free(route)
    return UIOption.objects.create(route=route, enabled=enabled, roles=ui_roles_normalise(roles))


def ui_route_update(*, option: UIOption, **changes) -> UIOption:
    """Change a global route; renaming it also renames the institutions' switches of it."""
    if "roles" in changes:
        changes["roles"] = ui_roles_normalise(changes["roles"])
    new_route = changes.get("route", option.route)
    if new_route != option.route:
        _check_route_free(new_route)
        UIOption.objects.filter(route=option.route).exclude(pk=option.pk).update(route=new_route)
    model_update(instance=option, data=changes)
    return option


def ui_route_delete(*, option: UIOption) -> None:
    """Remove a global route together with the institutions' switches of it."""
    UIOption.objects.filter(route=option.route).delete()
