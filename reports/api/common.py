"""What the reports app's views in several URL trees share: the report viewset base (list,
detail, JSON summary, SVG chart) of the institution and VLE trees, the download of a
verification request's stored payload, the learner UUID of the LAPI and provider paths
(malformed: 404) and integer query parameters."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from reports import filters, selectors
from reports.api import serializers as s
from reports.models import ReportActivity, Request
from reports.services import exports
from tesla.downloads import DownloadNegotiation, file_download
from tesla.viewsets import TeslaReadOnlyViewSet

# A learner UUID in a path, with or without its dashes.
UUID_REGEX = "[0-9a-fA-F-]{32,36}"


class LearnerUuidInPath:
    """For views whose URL looks an object up by a learner UUID: a malformed UUID names nobody,
    so it is a 404 (the database refuses to compare it, a Django ValidationError). URL parents
    already answer so (`tesla.viewsets.Parent.resolve`)."""

    def get_object(self):
        try:
            return super().get_object()
        except DjangoValidationError:
            raise NotFound from None


class OneObjectPerRequest:
    """Looks the detail object up once per request: the serializer context and the response
    both need it."""

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = super().get_object()
        return self._object


class ReportViewSetBase(OneObjectPerRequest, TeslaReadOnlyViewSet):
    """The reports on one activity (the URL's): the list carries each report's instrument
    rows inline, the detail what explains each result; `data/` is the JSON summary and
    `chart.svg` the chart. Each tree says who reads them and which reports they see."""

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

    def get_queryset(self) -> QuerySet[ReportActivity]:
        """The activity's reports (the list with its rows inline)."""
        if self.schema_only():
            return ReportActivity.objects.none()
        return selectors.activity_reports(
            activity=self.parents["activity"], rows_inline=self.action == "list"
        )

    @extend_schema(
        responses={200: s.ReportDataSerializer},
        description="The report's JSON summary: its sessions (counts, levels, alerts, per "
        "instrument series) and the documents sent outside sessions.",
    )
    @action(detail=True, methods=["get"])
    def data(self, request, *args, **kwargs):
        return Response(selectors.report_summary(report=self.get_object()))

    @extend_schema(
        parameters=[
            OpenApiParameter("instrument_id", int, description="Draw only this instrument's panel.")
        ],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR},
        description="An SVG chart: per instrument, the activity's histogram of results with "
        "the learner's bin highlighted, a line at the learner's result and dashed lines at "
        "the provider's alert and warning thresholds.",
    )
    @action(detail=True, methods=["get"], url_path="chart.svg")
    def chart(self, request, *args, **kwargs):
        report = self.get_object()
        svg = exports.report_chart_svg(
            report=report,
            context=selectors.report_context(report=report),
            instrument_id=query_integer(request, "instrument_id"),
        )
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def query_integer(request, name: str) -> int | None:
    """The integer query parameter `name`, None when absent; anything else is a 400."""
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None


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
