"""Every operation of the OpenAPI schema is in some permission matrix: a new endpoint without
its matrix fails here. Operations are compared by URL name and method: each schema path is
resolved to the URL name a matrix case reverses."""

import re
import uuid
from importlib import import_module

import pytest
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator

from tests.matrix import Case

# The modules holding matrices (each module-level `Case`, or list of them, counts).
MATRICES = [
    "tests.institution.test_permissions",
    "tests.vle_institution.test_vle_institution_permissions",
    "tests.vle_tree.test_permissions",
    "tests.reports.test_api_reports",
    "tests.reports.test_api_providers",
    "tests.content.test_preview_api",
    "tests.content.test_permissions",
    "tests.downloads.test_consent_pdf",
    "tests.downloads.test_request_data",
    "tests.tesla.test_permissions",
]
METHODS = {"get", "post", "put", "patch", "delete"}
PARAM = re.compile(r"{([^}]+)}")


def matrix_cases() -> list[Case]:
    cases = []
    for name in MATRICES:
        for value in vars(import_module(name)).values():
            if isinstance(value, Case):
                cases.append(value)
            elif isinstance(value, list | tuple) and value and isinstance(value[0], Case):
                cases.extend(value)
    return cases


def sample_url(template: str) -> str:
    """A concrete URL of a schema path template (ids 1, UUIDs where the route wants one)."""
    some_uuid = str(uuid.UUID(int=1))

    def value(match):
        name = match.group(1)
        return some_uuid if name in {"learner_id", "access_key"} else "1"

    return PARAM.sub(value, template)


def url_name(template: str) -> str:
    url = sample_url(template)
    for candidate in (url, url.rstrip("/"), f"{url}/"):
        try:
            return resolve(candidate).view_name
        except Resolver404:
            continue
    raise AssertionError(f"{template} resolves to no URL name")


def schema_operations() -> set[tuple[str, str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (url_name(path), method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_schema_operation_is_in_a_matrix():
    covered = {(case.url_name, case.method) for case in matrix_cases()}
    missing = sorted(
        f"{method.upper()} {path} ({name})"
        for name, method, path in schema_operations()
        if (name, method) not in covered
    )
    assert missing == []


def test_every_case_names_a_schema_operation():
    """A case that names no operation of the schema (a typo, a method the endpoint lacks on
    purpose) says so, unless it checks a refusal (405)."""
    operations = {(name, method) for name, method, _ in schema_operations()}
    strays = sorted(
        f"{case.method.upper()} {case.url_name} ({case.name})"
        for case in matrix_cases()
        if (case.url_name, case.method) not in operations and case.ok != 405
    )
    assert strays == []


@pytest.mark.parametrize("template", ["/api/v2/vle/{vle_pk}/course/"])
def test_schema_paths_resolve_to_their_url_names(template):
    assert url_name(template) == "vle-course-list"
