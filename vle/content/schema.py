"""OpenAPI description of the Course Service's authentication (SCORM Cloud's APP_NORMAL and
OAUTH schemes)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CourseServiceScheme(OpenApiAuthenticationExtension):
    target_class = "vle.content.auth.CourseServiceAuthentication"
    name = ["APP_NORMAL", "OAUTH"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "basic",
                "description": "A VLE's `role_id` as user name and `secret_id` as password.",
            },
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `POST /api/v2/appManagement/token` or "
                "`POST /api/v2/oauth/authenticate/application/token` (scopes `read`, `write`, "
                "`delete`, or their `:course` forms), or a VLE access token.",
            },
        ]
