"""The dashboard's global routes and the roles that see them."""

from django.db import migrations

ROUTES = {
    "dashboard": None,
    "course": "ADMIN,INSTRUCTOR,LEARNER,DATA,GLOBAL_ADMIN",
    "administration": "LEGAL,ADMIN,SEND,DATA,GLOBAL_ADMIN",
    "administration-ic": "LEGAL,ADMIN",
    "administration-users": "ADMIN",
    "administration-settings": "ADMIN",
    "administration-send": "ADMIN,SEND",
    "administration-send-categories": "ADMIN,SEND",
    "administration-send-users": "ADMIN,SEND",
    "system": "GLOBAL_ADMIN",
    "system-user": "GLOBAL_ADMIN",
    "system-institutions": "GLOBAL_ADMIN",
    "system-instruments": "GLOBAL_ADMIN",
}


def create_routes(apps, schema_editor):
    UIOption = apps.get_model("institution", "UIOption")
    for route, roles in ROUTES.items():
        UIOption.objects.get_or_create(
            route=route,
            institution=None,
            user=None,
            defaults={"enabled": True, "roles": roles},
        )


def remove_routes(apps, schema_editor):
    apps.get_model("institution", "UIOption").objects.filter(
        route__in=list(ROUTES), institution=None, user=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("institution", "0001_initial")]

    operations = [migrations.RunPython(create_routes, remove_routes)]
