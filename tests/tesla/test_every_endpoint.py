"""A safety net over every operation in the OpenAPI schema, so a new endpoint cannot forget
authentication or tenancy: anonymous callers get 401, and callers from another tenant get 404
for anything below a parent they cannot reach."""

import re
import uuid

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests import factories

PUBLIC = {
    "/api/v2/auth/login",
    "/api/v2/auth/approle",
    "/api/v2/auth/token",
    "/api/v2/auth/token/refresh",
    "/api/v2/auth/logout",
    "/api/webhooks/",  # authenticated by its HMAC signature, not a token
}
PARAM = re.compile(r"{([^}]+)}")


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


OPERATIONS = sorted(operations())


def fill(path: str, values: dict[str, object], default: object = 1) -> str:
    def value(match):
        name = match.group(1)
        if name in values:
            return str(values[name])
        if name in {"learner_id", "learner_uuid"}:
            return str(uuid.uuid4())
        if name == "language":
            return "en"
        return str(default)

    return PARAM.sub(value, path)


def call(client, method, url):
    return getattr(client, method)(url, {}, format="json")


@pytest.mark.parametrize("path, method", [op for op in OPERATIONS if op[0] not in PUBLIC])
@pytest.mark.django_db
def test_anonymous_callers_get_401(api, path, method):
    response = call(api("anonymous"), method, fill(path, {}))

    assert response.status_code == 401, response.content[:200]


INSTITUTION_OPS = [op for op in OPERATIONS if op[0].startswith("/api/v2/institution/{")]


@pytest.mark.parametrize("path, method", INSTITUTION_OPS)
@pytest.mark.django_db
def test_another_institutions_admin_gets_404_below_our_institution(
    api, institution, course, activity, path, method
):
    # Every id in the URL is a real object of *our* institution where one is at hand.
    values = {name: institution.pk for name in PARAM.findall(path) if "institution" in name}
    values.update({name: course.pk for name in PARAM.findall(path) if name.startswith("course")})
    values.update(
        {name: activity.pk for name in PARAM.findall(path) if name.startswith("activity")}
    )

    response = call(api("foreign_admin"), method, fill(path, values))

    assert response.status_code == 404, response.content[:200]


VLE_OPS = [op for op in OPERATIONS if op[0].startswith("/api/v2/vle/{")]


@pytest.mark.parametrize("path, method", VLE_OPS)
@pytest.mark.django_db
def test_another_vle_gets_404_below_our_vle(api, vle, course, activity, path, method):
    values = {name: vle.pk for name in PARAM.findall(path) if name.startswith("vle")}
    values.update({name: course.pk for name in PARAM.findall(path) if name.startswith("course")})
    values.update(
        {name: activity.pk for name in PARAM.findall(path) if name.startswith("activity")}
    )

    response = call(api("other_vle"), method, fill(path, values))

    assert response.status_code == 404, response.content[:200]


@pytest.mark.parametrize("path, method", VLE_OPS)
@pytest.mark.django_db
def test_users_cannot_use_the_vle_tree(api, vle, path, method):
    values = {name: vle.pk for name in PARAM.findall(path) if name.startswith("vle")}

    response = call(api("inst_admin"), method, fill(path, values))

    assert response.status_code == 403, response.content[:200]


PROVIDER_OPS = [op for op in OPERATIONS if op[0].startswith("/api/v2/provider/{")]


@pytest.mark.parametrize("path, method", PROVIDER_OPS)
@pytest.mark.django_db
def test_another_provider_gets_404_below_our_provider(provider, path, method):
    other = factories.provider(2)
    values = {name: provider.pk for name in PARAM.findall(path) if name.startswith("provider")}

    response = call(factories.client_for(other), method, fill(path, values))

    assert response.status_code == 404, response.content[:200]


ADMIN_OPS = [op for op in OPERATIONS if op[0].startswith("/api/v2/admin/")]


@pytest.mark.parametrize("path, method", ADMIN_OPS)
@pytest.mark.django_db
def test_only_global_admins_use_the_admin_tree(api, path, method):
    response = call(api("inst_admin"), method, fill(path, {}))

    assert response.status_code == 403, response.content[:200]


def test_the_schema_has_the_main_trees():
    prefixes = {path.split("/")[3] for path, _ in OPERATIONS if path.startswith("/api/v2/")}

    assert {"auth", "institution", "vle", "admin"} <= prefixes
