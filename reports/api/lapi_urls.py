"""Learner API (/lapi/v1/): what the browser plugin sends during an assessment."""

from django.urls import re_path

from reports.api import lapi_views as views
from reports.api.common import UUID_REGEX

verification = views.LAPIVerificationViewSet.as_view({"post": "create"})
enrolment = views.LAPIEnrolmentViewSet.as_view({"post": "create"})

urlpatterns = [
    re_path(
        rf"^verification/(?P<institution_pk>[0-9]+)/(?P<learner_id>{UUID_REGEX})/$",
        verification,
        name="lapi-verification",
    ),
    re_path(
        rf"^enrolment/(?P<institution_pk>[0-9]+)/(?P<learner_id>{UUID_REGEX})/$",
        enrolment,
        name="lapi-enrolment",
    ),
]
