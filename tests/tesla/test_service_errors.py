"""The services' error family (`tesla.errors`) as the API answers it: one status per kind,
the field named when there is one, the intake envelope where a view asks for it, and
nothing written when a service refuses halfway."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from institution.models import Institution
from tesla import errors
from tesla.viewsets import TransactionPerWrite

pytestmark = pytest.mark.django_db


def answer(exc: Exception, *, envelope: bool = False, write: bool = False) -> Response:
    class Refusing(TransactionPerWrite, APIView):
        authentication_classes = []
        permission_classes = [AllowAny]
        error_envelope = envelope

        def post(self, request):
            if write:
                Institution.objects.create(acronym="half-written")
            raise exc

    response = Refusing.as_view()(APIRequestFactory().post("/anything", {}, format="json"))
    response.render()
    return response


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.ApplicationError, 400),
        (errors.NotFound, 404),
        (errors.Forbidden, 403),
        (errors.Conflict, 409),
        (errors.Unavailable, 503),
    ],
)
def test_each_kind_has_its_status_and_a_detail(error, status):
    response = answer(error("Not now."))

    assert response.status_code == status
    assert response.data == {"detail": "Not now."}


def test_a_named_field_is_answered_like_a_validation_error():
    response = answer(errors.Conflict("This e-mail is already in use.", field="email"))

    assert response.status_code == 409
    assert response.data == {"email": ["This e-mail is already in use."]}


def test_extra_keys_join_the_detail():
    response = answer(errors.Conflict("Still owns evidence.", extra={"owns": {"requests": 2}}))

    assert response.data == {"detail": "Still owns evidence.", "owns": {"requests": 2}}


def test_a_django_validation_error_names_its_fields():
    response = answer(ValidationError({"version": ["Use X.Y.Z."]}))

    assert response.status_code == 400
    assert response.data == {"version": ["Use X.Y.Z."]}


def test_the_intake_envelope_wraps_400s_only():
    refused = answer(ValidationError({"data": ["Not valid base64 content."]}), envelope=True)
    missing = answer(errors.NotFound("No such learner."), envelope=True)

    assert refused.status_code == 400
    assert refused.data == {"status": "ERROR", "errors": {"data": ["Not valid base64 content."]}}
    assert missing.status_code == 404
    assert missing.data == {"detail": "No such learner."}


def test_a_refusal_leaves_nothing_half_written():
    response = answer(errors.Conflict("Too late."), write=True)

    assert response.status_code == 409
    assert not Institution.objects.filter(acronym="half-written").exists()
