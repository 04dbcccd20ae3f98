"""What the report trees' views share: the report viewset base (detail, JSON summary,
SVG chart) and the download of a verification request's stored payload."""

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from reports import filters, selectors
from reports.api import serializers as s
from reports.models import Request
from reports.services import exports
from tesla.downloads import DownloadNegotiation, file_download
from tesla.viewsets import TeslaReadOnlyViewSet

UUID_REGEX = "[0-9a-fA-F-]{32,36}"


class OneObjectPerRequest:
    """Looks the detail object up once per request: the serializer context and the response
    both need it."""

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = super().get_object()
        return self._object


class ReportViewSetBase(OneObjectPerRequest, TeslaReadOnlyViewSet):
    filterset_class = filters.ReportFilter
    search_fields = [
        "learner__institution_user__user__first_name",
        "learner__institution_user__user__last_name",
        "learner__institution_user__user__email",
        "learner__institution_user__uid",
        "identity_level",
        "content_level",
        "integrity_level",
    ]
    ordering_fields = [
        "id",
        "identity_level",
        "content_level",
        "integrity_level",
        "created_at",
        "updated_at",
        "learner__institution_user__user__first_name",
        "learner__institution_user__user__last_name",
        "learner__institution_user__user__email",
    ]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "action", None) == "retrieve" and not self.schema_only():
            context["report_context"] = selectors.report_context(report=self.get_object())
        return context

    def _data(self):
        return Response(selectors.report_summary(report=self.get_object()))

    def _chart(self, request):
        report = self.get_object()
        instrument_id = request.query_params.get("instrument_id")
        if instrument_id is not None:
            try:
                instrument_id = int(instrument_id)
            except ValueError:
                raise ValidationError({"instrument_id": ["A valid integer is required."]}) from None
        svg = exports.report_chart_svg(
            report=report,
            context=selectors.report_context(report=report),
            instrument_id=instrument_id,
        )
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


CHART_SCHEMA = extend_schema(
    parameters=[
        OpenApiParameter("instrument_id", int, description="Draw only this instrument's panel.")
    ],
    responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    description="An SVG chart: per instrument, the activity's histogram of results with the "
    "learner's bin highlighted, a line at the learner's result and dashed lines at the "
    "provider's alert and warning thresholds.",
)
DATA_SCHEMA = extend_schema(
    responses={200: s.ReportDataSerializer},
    description="The report's JSON summary: its sessions (counts, levels, alerts, per "
    "instrument series) and the documents sent outside sessions.",
)


def request_payload_download(request_row: Request) -> FileResponse:
    """A verification request's stored payload (JSON), streamed as stored; 404 when the
    request has none."""
    if not request_row.data:
        raise NotFound("This request has no stored data.")
    return file_download(
        request_row.data,
        content_type="application/json",
        filename=f"request-{request_row.pk}.json",
    )


PAYLOAD_SCHEMA = extend_schema(
    responses={
        200: s.VerificationRequestPayloadSerializer,
        404: OpenApiResponse(description="No such request, or nothing stored for it."),
    },
    description="The request's stored sample or document with what it was sent with "
    "(the `data` field of the request is this URL).",
)
# Download actions: no list filters on the lookup, any Accept header served.
PAYLOAD_ACTION = {
    "detail": True,
    "methods": ["get"],
    "filter_backends": [],
    "pagination_class": None,
    "content_negotiation_class": DownloadNegotiation,
}
