"""OpenAPI extensions: the JWT header scheme, the error answers of every operation, and the
nullability of fields read through relations."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "tesla.authentication.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`JWT <access_token>` (or `Bearer <access_token>`).",
        }


# The error answers every operation can give (tesla.exceptions, tesla.middleware), as one
# component. Operations keep what they declare themselves; the rest is added here.
ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for general errors; one entry per offending field for 400 and 409.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "Invalid input; the body names each offending field.",
    "401": "No or an invalid token.",
    "403": "The caller lacks the role for this operation.",
    "404": "The object or one of its URL parents does not exist or is out of reach.",
    "409": "A value is already taken, or the object still owns data it cannot lose.",
    "413": "The request body is too large.",
    "503": "The database is unavailable; retry after `Retry-After` seconds.",
}
PUBLIC_OPERATIONS = ("/api/v2/auth/",)


def document_error_answers(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error answers each operation can give."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = {"503"}
            if not path.startswith(PUBLIC_OPERATIONS) or path.endswith("/profile"):
                codes |= {"401", "403"}
            if "{" in path:
                codes.add("404")
            if method in {"post", "put", "patch"}:
                codes |= {"400", "413"}
            if method in {"post", "put", "patch", "delete"} and not path.startswith(
                PUBLIC_OPERATIONS
            ):
                codes.add("409")
            if operation.get("parameters"):
                codes.add("400")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(code, {"description": ERRORS[code], "content": reference})
    return result


class TeslaAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus: a read-only field whose `source` reaches a nullable
    model column (`source="user.last_login"`) is documented as nullable in responses, as its
    value can be null. drf-spectacular only knows this for fields it builds from the model."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if (
            direction == "response"
            and not meta.get("nullable")
            and _source_is_nullable(field, self._view_model())
        ):
            meta["nullable"] = True
        return meta

    def _view_model(self):
        """The model of the view's rows (for plain serializers of them), if it has one."""
        get_queryset = getattr(self.view, "get_queryset", None)
        if get_queryset is None:  # a plain APIView
            return None
        try:
            return get_queryset().model
        except Exception:  # views without a queryset
            return None


def _source_is_nullable(field, view_model=None) -> bool:
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None and parent is not None and getattr(parent, "parent", None) is None:
        model = view_model  # a plain serializer of the view's own rows
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return False
    nullable = False
    for name in source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        # A missing related row (a nullable or reverse one-to-one link) makes the value null.
        nullable = nullable or getattr(model_field, "null", False)
        if model_field.is_relation and model_field.related_model is not None:
            if model_field.one_to_many or model_field.many_to_many:
                return False
            model = model_field.related_model
    return nullable
