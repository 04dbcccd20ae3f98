"""Reads about institutions and their users that need more than a filter."""

from django.db.models import Q, QuerySet

from institution.models import Institution, InstitutionUser, UIOption
from tesla.permissions import GLOBAL_ADMIN
from tesla.principals import institution_user_of, is_global_admin, kind_of


def institutions_visible_to(request, parents=None) -> QuerySet[Institution]:
    """Global admins reach every institution, members their own, learner tokens the
    learner's; modules reach none through the institution tree."""
    if is_global_admin(request):
        return Institution.objects.all()
    member = institution_user_of(request)
    if member is not None:
        return Institution.objects.filter(pk=member.institution_id)
    if kind_of(request.user) == "learner":
        return Institution.objects.filter(users__pk=request.user.learner.pk)
    return Institution.objects.none()


def ui_routes_for(user) -> list[str]:
    """Dashboard routes a user may see: enabled global routes for everyone or for one of the
    user's roles, minus the routes their institution or they themselves have disabled."""
    member: InstitutionUser | None = getattr(user, "institution_user", None)
    if member is None and not user.is_staff:
        return []
    roles = set(member.roles if member else [])
    if user.is_staff:
        roles.add(GLOBAL_ADMIN)
    routes = []
    for option in UIOption.objects.filter(
        institution__isnull=True, user__isnull=True, enabled=True
    ):
        allowed = {role.strip() for role in (option.roles or "").split(",") if role.strip()}
        if not allowed or allowed & roles:
            routes.append(option.route)
    if member is not None:
        disabled = set(
            UIOption.objects.filter(institution_id=member.institution_id, enabled=False)
            .filter(Q(user__isnull=True) | Q(user=member))
            .values_list("route", flat=True)
        )
        routes = [route for route in routes if route not in disabled]
    return sorted(dict.fromkeys(routes))
