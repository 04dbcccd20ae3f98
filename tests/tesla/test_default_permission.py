"""The default permission class reads a view's role declarations: a DRF view that declares
none (it forgot the project's base viewset) is refused, never let through. And the base
viewset's parent lookup refuses what cannot name a parent with a 404."""

import pytest
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from tesla.permissions import RoleAccess

pytestmark = pytest.mark.django_db


class BareView(APIView):
    """A plain APIView with no permission or role declarations."""

    def get(self, request):
        return Response({"reached": True})


class BareViewSet(viewsets.ViewSet):
    """A plain ViewSet, not a TeslaViewSet."""

    def list(self, request):
        return Response({"reached": True})


def test_the_default_permission_class_is_the_role_check():
    assert BareView().get_permissions()[0].__class__ is RoleAccess


@pytest.mark.parametrize(
    "view", [BareView.as_view(), BareViewSet.as_view({"get": "list"})], ids=["view", "viewset"]
)
@pytest.mark.parametrize("persona", ["global_admin", "inst_admin"])
def test_a_view_without_declarations_is_refused(request, view, persona):
    http_request = APIRequestFactory().get("/bare/")
    force_authenticate(http_request, user=request.getfixturevalue(persona))
    response = view(http_request)
    assert response.status_code == 403
    assert "reached" not in response.data


def test_a_view_without_declarations_asks_anonymous_callers_to_log_in():
    response = BareView.as_view()(APIRequestFactory().get("/bare/"))
    assert response.status_code == 401


# A URL parent's value that matches the route but cannot name a row (a learner "UUID" of
# dashes) is a 404, like a parent that does not exist: Parent.resolve answers it once for
# every view.
NOT_A_UUID = "-" * 32


def test_a_malformed_learner_uuid_in_the_lapi_path_is_404(api, institution):
    url = f"/lapi/v1/verification/{institution.pk}/{NOT_A_UUID}/"
    assert api("learner_token").post(url, {}, format="json").status_code == 404


def test_a_malformed_learner_uuid_in_the_provider_tree_is_404(api, provider):
    url = f"/api/v2/provider/{provider.pk}/enrolment/{NOT_A_UUID}/sample/"
    assert api("provider").get(url).status_code == 404
