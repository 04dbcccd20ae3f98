"""Serializers of the reports app: activity reports (institution and VLE trees), report
requests and audits, providers (admin and provider trees), provider results and enrolments,
learner enrolment status, and the LAPI verification body."""

from django.db import models
from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.models import (
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    Provider,
    ReportActivity,
    ReportActivityInstrument,
    Request,
    RequestProviderResult,
    RequestResult,
    ResultCode,
    ResultStatus,
    SampleStatus,
)
from reports.selectors import REPORT_ROW_DETAIL
from reports.services import levels
from tesla.serializers import PlainRepresentation, TeslaModelSerializer
from tesla.signing import signed_file_url
from vle.models import Instrument
from vle.services.instruments import options_check, options_schema_check

LEVEL_FIELDS = ("identity_level", "content_level", "integrity_level")


def _meanings(choices) -> str:
    return ", ".join(f"{value} {label}" for value, label in choices)


def choice_integer(choices, **kwargs) -> serializers.IntegerField:
    """An integer from a contiguous choice set (statuses, codes, levels), documented with its
    meanings. Shown as a plain integer rather than an enum because several different choice
    sets share the names `status` and `*_level` across the API."""
    values = [value for value, _ in choices]
    help_text = kwargs.pop("help_text", "")
    return serializers.IntegerField(
        min_value=min(values),
        max_value=max(values),
        help_text=f"{help_text} {_meanings(choices)}.".strip(),
        **kwargs,
    )


class PlainChoicesMixin:
    """Model integer fields with choices become `choice_integer` fields."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if model_field.choices and isinstance(model_field, models.IntegerField):
            kwargs.pop("choices", None)
            values = [value for value, _ in model_field.choices]
            kwargs["min_value"], kwargs["max_value"] = min(values), max(values)
            kwargs["help_text"] = (
                f"{model_field.verbose_name.capitalize()}: {_meanings(model_field.choices)}."
            )
            return serializers.IntegerField, kwargs
        return field_class, kwargs


def _absolute(request, url: str | None) -> str | None:
    if url is None:
        return None
    return request.build_absolute_uri(url) if request is not None else url


def _view_link(context, name: str, **lookup) -> str | None:
    """Absolute URL of action `name` of the serializing view, for the object named by `lookup`
    under the same URL parents as the caller's request (None outside a view)."""
    view = context.get("view")
    if view is None:
        return None
    try:
        url = reverse(f"{view.basename}-{name}", kwargs={**view.kwargs, **lookup})
    except NoReverseMatch:
        return None
    return _absolute(context.get("request"), url)


# Reports -------------------------------------------------------------------------------------


class LearnerNameFields(serializers.Serializer):
    """A learner's id, uid and name, as the report and VLE views show them."""

    id = serializers.IntegerField(source="pk", read_only=True)
    uid = serializers.CharField(source="institution_user.uid", read_only=True)
    first_name = serializers.CharField(source="institution_user.user.first_name", read_only=True)
    last_name = serializers.CharField(source="institution_user.user.last_name", read_only=True)


class ReportLearnerSerializer(LearnerNameFields):
    """Who the report is about."""

    email = serializers.EmailField(source="institution_user.user.email", read_only=True)
    learner_id = serializers.UUIDField(read_only=True)


class ReportDetailSerializer(PlainChoicesMixin, serializers.ModelSerializer):
    """One instrument's part of a report: percentages 0-100 and levels 0-4."""

    instrument = serializers.CharField(source="instrument.name", read_only=True)
    instrument_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReportActivityInstrument
        fields = ["instrument", "enrolment", "confidence", "result", *LEVEL_FIELDS, "instrument_id"]
        read_only_fields = fields


class ReportThresholdsSerializer(serializers.Serializer):
    warning_below = serializers.FloatField(allow_null=True)
    alert_below = serializers.FloatField(allow_null=True)


class ReportFactsSerializer(serializers.Serializer):
    positive = serializers.ListField(child=serializers.CharField(), required=False)
    negative = serializers.ListField(child=serializers.CharField(), required=False)
    neutral = serializers.ListField(child=serializers.CharField(), required=False)


class ReportDetailExtendedSerializer(ReportDetailSerializer):
    """An instrument row with what explains it (anchor-core §7.4, levels rules 7-8):
    the learner's and this activity's histograms of the instrument (10 bins, b0 = 0-9 %), the
    bin of the learner's result, the provider's thresholds (0..1) and polarity, how usual the
    result is (`prob_*`) and the share of better results (`h_prob_*`) in each histogram (null
    when the histogram is empty), and plain-language facts."""

    instrument_acronym = serializers.CharField(source="instrument.acronym", read_only=True)
    instrument_polarity = serializers.SerializerMethodField()
    learner_histogram = serializers.SerializerMethodField()
    activity_histogram = serializers.SerializerMethodField()
    result_bean = serializers.SerializerMethodField()
    thresholds = serializers.SerializerMethodField()
    prob_learner = serializers.SerializerMethodField()
    prob_context = serializers.SerializerMethodField()
    h_prob_learner = serializers.SerializerMethodField()
    h_prob_context = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField()

    class Meta(ReportDetailSerializer.Meta):
        fields = [
            *ReportDetailSerializer.Meta.fields,
            "instrument_acronym",
            "instrument_polarity",
            "learner_histogram",
            "activity_histogram",
            "result_bean",
            "thresholds",
            "prob_learner",
            "prob_context",
            "h_prob_learner",
            "h_prob_context",
            "facts",
        ]
        read_only_fields = fields

    def _explain(self, row) -> dict:
        """All explanation values of a row, computed once per row."""
        cache = self.context.setdefault("_explained", {})
        if row.pk in cache:
            return cache[row.pk]
        extras = self.context["report_context"]
        provider = extras["providers"].get(row.instrument_id)
        inverted = bool(provider and provider.inverted_polarity)
        learner_histogram = extras["learner_histograms"].get(row.instrument_id, [0] * 10)
        activity_histogram = extras["activity_histograms"].get(row.instrument_id, [0] * 10)
        bin_ = levels.result_bin(row.result)
        thresholds = (
            levels.Thresholds(
                float(provider.alert_below) if provider.alert_below is not None else None,
                float(provider.warning_below) if provider.warning_below is not None else None,
                inverted,
            )
            if provider is not None
            else None
        )
        explained = {
            "polarity": -1 if inverted else 1,
            "learner_histogram": learner_histogram,
            "activity_histogram": activity_histogram,
            "bin": bin_,
            "thresholds": {
                "warning_below": thresholds.warning_below if thresholds else None,
                "alert_below": thresholds.alert_below if thresholds else None,
            },
            "prob_learner": levels.probability(learner_histogram, bin_),
            "prob_context": levels.probability(activity_histogram, bin_),
            "h_prob_learner": levels.better_share(learner_histogram, bin_, inverted=inverted),
            "h_prob_context": levels.better_share(activity_histogram, bin_, inverted=inverted),
        }
        explained["facts"] = levels.result_facts(
            confidence=row.confidence,
            result=row.result,
            thresholds=thresholds,
            h_prob_learner=explained["h_prob_learner"],
            h_prob_context=explained["h_prob_context"],
            prob_learner=explained["prob_learner"],
            has_alerts=extras["has_alerts"],
        )
        cache[row.pk] = explained
        return explained

    def get_instrument_polarity(self, row) -> int:
        """+1 when higher results are better, -1 for inverted polarity."""
        return self._explain(row)["polarity"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_learner_histogram(self, row):
        return self._explain(row)["learner_histogram"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_activity_histogram(self, row):
        return self._explain(row)["activity_histogram"]

    def get_result_bean(self, row) -> int:
        """The histogram bin of the learner's result (0-9); the original's name is kept."""
        return self._explain(row)["bin"]

    @extend_schema_field(ReportThresholdsSerializer)
    def get_thresholds(self, row):
        return self._explain(row)["thresholds"]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_prob_learner(self, row):
        return self._explain(row)["prob_learner"]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_prob_context(self, row):
        return self._explain(row)["prob_context"]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_h_prob_learner(self, row):
        return self._explain(row)["h_prob_learner"]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_h_prob_context(self, row):
        return self._explain(row)["h_prob_context"]

    @extend_schema_field(ReportFactsSerializer)
    def get_facts(self, row):
        return self._explain(row)["facts"]


class _ReportBase(PlainChoicesMixin, serializers.ModelSerializer):
    learner = ReportLearnerSerializer(read_only=True)
    detail = ReportDetailSerializer(many=True, read_only=True)

    class Meta:
        model = ReportActivity
        fields = ["id", "learner", "detail", *LEVEL_FIELDS]
        read_only_fields = fields


def _follow(obj, path: str):
    for attribute in path.split("__"):
        obj = getattr(obj, attribute)
    return obj


class _ReportRow(PlainRepresentation, _ReportBase):
    """A report as a list row, written plainly (the hot path of report lists)."""

    @staticmethod
    def detail_of(report) -> list[dict]:
        """The instrument rows, from `detail_rows` (`activity_reports(rows_inline=True)`) or
        else from the prefetched `detail`, ordered by instrument."""
        rows = getattr(report, "detail_rows", None)
        if rows is not None or hasattr(report, "detail_rows"):
            rows = sorted(rows or [], key=lambda row: row["instrument_id"])
            return [{name: row[name] for name in REPORT_ROW_DETAIL} for row in rows]
        return [
            {name: _follow(row, path) for name, path in REPORT_ROW_DETAIL.items()}
            for row in report.detail.all()
        ]

    def represent(self, report) -> dict:
        learner = report.learner
        member = learner.institution_user
        user = member.user
        return {
            "id": report.pk,
            "learner": {
                "id": learner.pk,
                "uid": member.uid,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "learner_id": str(learner.learner_id),
            },
            "detail": self.detail_of(report),
            "identity_level": report.identity_level,
            "content_level": report.content_level,
            "integrity_level": report.integrity_level,
        }


class _ReportDetailBase(_ReportBase):
    detail = ReportDetailExtendedSerializer(many=True, read_only=True)
    data = serializers.SerializerMethodField()
    chart = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta(_ReportBase.Meta):
        fields = [*_ReportBase.Meta.fields, "data", "chart", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_data(self, report):
        """URL of the report's JSON summary (sessions and documents)."""
        return _view_link(self.context, "data", pk=report.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_chart(self, report):
        """URL of an SVG chart of the learner's results against the activity's histograms."""
        return _view_link(self.context, "chart", pk=report.pk)


class InstitutionCourseActivityReportSerializer(_ReportRow):
    """A learner's activity report as listed to the institution."""


class InstitutionCourseActivityReportDetailSerializer(_ReportDetailBase):
    """A learner's activity report with histograms, thresholds and facts per instrument."""


class VLECourseActivityReportSerializer(_ReportRow):
    """A learner's activity report as listed to the VLE."""


class VLECourseActivityReportDetailSerializer(_ReportDetailBase):
    """A learner's activity report, with explanations, as the VLE reads it."""


class ReportDataSerializer(serializers.Serializer):
    """The report's JSON summary (anchor-core §7.2)."""

    sessions = serializers.ListField(child=serializers.DictField())
    documents = serializers.ListField(child=serializers.DictField())


# Report requests and audits -----------------------------------------------------------------


class InstitutionCourseActivityReportRequestResultSerializer(
    PlainChoicesMixin, serializers.ModelSerializer
):
    """One instrument's summary of a request."""

    request = serializers.IntegerField(source="request_id", read_only=True)
    instrument = serializers.IntegerField(source="instrument_id", read_only=True)
    audit = serializers.JSONField(read_only=True)

    class Meta:
        model = RequestResult
        fields = [
            "id",
            "status",
            "result",
            "error_message",
            "code",
            "audit",
            "created_at",
            "updated_at",
            "request",
            "instrument",
            "message_code",
        ]
        read_only_fields = fields


class InstitutionCourseActivityReportRequestSerializer(
    PlainChoicesMixin, serializers.ModelSerializer
):
    """A verification request of the report's learner in the activity."""

    result = InstitutionCourseActivityReportRequestResultSerializer(
        source="results", many=True, read_only=True
    )
    data = serializers.SerializerMethodField()
    learner = serializers.IntegerField(source="learner_id", read_only=True)
    activity = serializers.IntegerField(source="activity_id", read_only=True, allow_null=True)
    session = serializers.IntegerField(source="session_id", read_only=True, allow_null=True)
    instruments = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "result",
            "status",
            "data",
            "error_message",
            "created_at",
            "updated_at",
            "learner",
            "activity",
            "session",
            "message_code",
            "instruments",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_data(self, request_row):
        """URL of the stored sample or document (`.../request/{id}/data/`, read with the same
        credentials as the request), or null when nothing is stored."""
        if not request_row.data:
            return None
        return _view_link(self.context, "data", pk=request_row.pk)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_instruments(self, request_row):
        return sorted(instrument.pk for instrument in request_row.instruments.all())


class VerificationRequestPayloadSerializer(serializers.Serializer):
    """A verification request's stored payload, as the intake wrote it: whose sample or
    document it is and where it was taken, the instruments asked for, the sender's metadata
    and the sample or document itself (`data`, usually a `data:` URL)."""

    learner_id = serializers.UUIDField()
    course_id = serializers.IntegerField(allow_null=True)
    activity_id = serializers.IntegerField(allow_null=True)
    session_id = serializers.IntegerField(allow_null=True)
    instruments = serializers.ListField(child=serializers.IntegerField())
    metadata = serializers.JSONField(allow_null=True)
    data = serializers.CharField()


class InstitutionCourseActivityReportAuditSerializer(
    PlainChoicesMixin, serializers.ModelSerializer
):
    """An instrument row of a report with the link to its audit trail."""

    audit_data = serializers.SerializerMethodField()
    report = serializers.IntegerField(source="report_id", read_only=True)
    instrument = serializers.IntegerField(source="instrument_id", read_only=True)

    class Meta:
        model = ReportActivityInstrument
        fields = [
            "id",
            "enrolment",
            "confidence",
            "result",
            *LEVEL_FIELDS,
            "audit_data",
            "created_at",
            "updated_at",
            "report",
            "instrument",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_audit_data(self, row):
        """URL of the audit trail (providers and every request's answers)."""
        return _view_link(self.context, "data", instrument_id=row.instrument_id)


class ReportAuditEnrolmentSampleSerializer(serializers.Serializer):
    """An enrolment sample a provider's model of the learner was built from, in an audit
    trail: `data` is a signed, expiring link that shows the sample itself."""

    id = serializers.IntegerField()
    status = choice_integer(SampleStatus.choices, help_text="Sample status:")
    instruments = serializers.ListField(child=serializers.IntegerField())
    data = serializers.URLField()
    error_message = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReportAuditTrailSerializer(serializers.Serializer):
    """The audit trail of one instrument in a report: `providers` by id (acronym, name, the
    learner's enrolment percentage and can_analyse, `enrolment_samples` ids), `requests` by
    id (the instrument's result, status and code, `data`: a signed, expiring link showing the
    sample, and `results` by provider id with each provider's own audit object) and
    `enrolment_samples` by id (the samples the providers' models were built from)."""

    providers = serializers.DictField(child=serializers.DictField())
    requests = serializers.DictField(child=serializers.DictField())
    enrolment_samples = serializers.DictField(child=ReportAuditEnrolmentSampleSerializer())


class InstitutionCourseActivityReportAuditDetailSerializer(
    InstitutionCourseActivityReportAuditSerializer
):
    """An instrument row of a report with its audit trail inline (`audit`)."""

    audit = serializers.SerializerMethodField()

    class Meta(InstitutionCourseActivityReportAuditSerializer.Meta):
        fields = [*InstitutionCourseActivityReportAuditSerializer.Meta.fields, "audit"]
        read_only_fields = fields

    @extend_schema_field(ReportAuditTrailSerializer)
    def get_audit(self, row):
        return self.context.get("audit")


# Enrolment status (institution tree) ---------------------------------------------------------


class LearnerEnrolmentStatusSerializer(serializers.Serializer):
    """A learner's enrolment with one instrument, over the enabled providers' models
    (percentages are fractions 0..1)."""

    instrument_id = serializers.IntegerField()
    percentage__min = serializers.FloatField()
    percentage__max = serializers.FloatField()
    can_analyse__min = serializers.BooleanField()
    can_analyse__max = serializers.BooleanField()
    pending = serializers.ListField(child=serializers.DictField())
    pending_contributions = serializers.FloatField()
    not_validated = serializers.ListField(child=serializers.DictField())
    not_validated_count = serializers.IntegerField()


class LearnerMissingEnrolmentsSerializer(serializers.Serializer):
    """Whether the learner lacks enrolment an activity needs (`?activity_id=`)."""

    missing_enrolments = serializers.BooleanField()
    instruments = serializers.DictField(child=LearnerEnrolmentStatusSerializer())
    activity_id = serializers.IntegerField(help_text="The activity's id.")
    learner_id = serializers.IntegerField(help_text="The learner's id (not the learner UUID).")


# Providers -----------------------------------------------------------------------------------


class ProviderInstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = ["id", "name", "acronym", "queue", "enabled", "requires_enrolment"]
        read_only_fields = fields


class ProviderCredentialsSerializer(serializers.Serializer):
    role_id = serializers.CharField()
    secret_id = serializers.CharField()


class AdminInstrumentProviderSerializer(TeslaModelSerializer):
    """A provider of an instrument. `credentials` `{role_id, secret_id}` appear only in the
    create response (the secret is never shown again). `options` must satisfy the JSON Schema
    in `options_schema` (the new one, or the stored one)."""

    instrument_id = serializers.IntegerField(read_only=True)
    instrument = ProviderInstrumentSerializer(read_only=True)
    credentials = serializers.SerializerMethodField()
    options_schema = serializers.JSONField(required=False, allow_null=True)
    options = serializers.JSONField(required=False, allow_null=True)
    alert_below = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=0, max_value=1, required=False, allow_null=True
    )
    warning_below = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=0, max_value=1, required=False, allow_null=True
    )

    class Meta:
        model = Provider
        fields = [
            "id",
            "instrument_id",
            "instrument",
            "name",
            "queue",
            "description",
            "url",
            "version",
            "acronym",
            "allow_validation",
            "inverted_polarity",
            "image",
            "has_service",
            "service_port",
            "options_schema",
            "options",
            "credentials",
            "enabled",
            "validation_active",
            "warning_below",
            "alert_below",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    @extend_schema_field(ProviderCredentialsSerializer(allow_null=True))
    def get_credentials(self, provider):
        return getattr(provider, "issued_credentials", None)

    def validate_options_schema(self, value):
        options_schema_check(schema=value, field=None)
        return value

    def validate_service_port(self, value):
        if value is not None and not 0 < value < 65536:
            raise serializers.ValidationError("A TCP port (1-65535) is required.")
        return value

    def validate(self, attrs):
        instance = self.instance
        schema = attrs.get("options_schema", instance.options_schema if instance else None)
        options = attrs.get("options", instance.options if instance else None)
        if options is not None and ("options" in attrs or "options_schema" in attrs):
            if schema is None:
                raise serializers.ValidationError(
                    {"options": ["Options cannot be set while options_schema is NULL."]}
                )
            options_check(options=options, schema=schema)
        alert = attrs.get("alert_below", instance.alert_below if instance else None)
        warning = attrs.get("warning_below", instance.warning_below if instance else None)
        inverted = attrs.get("inverted_polarity", instance.inverted_polarity if instance else False)
        if alert is not None and warning is not None:
            consistent = alert >= warning if inverted else alert <= warning
            if not consistent:
                raise serializers.ValidationError(
                    {
                        "alert_below": [
                            "The alert threshold must lie beyond the warning threshold "
                            "(below it, or above it with inverted polarity)."
                        ]
                    }
                )
        return attrs


class ProviderSerializer(AdminInstrumentProviderSerializer):
    """The calling provider's own record."""

    class Meta(AdminInstrumentProviderSerializer.Meta):
        read_only_fields = AdminInstrumentProviderSerializer.Meta.fields


def stored_file_link(context, file, *, content_type: str = "application/json") -> str | None:
    """A signed, expiring link to a stored file that works with a bare GET (how the provider
    SDK downloads request data, samples, validation info and models), or None without one."""
    if not file:
        return None
    return signed_file_url(
        file.name,
        filename=file.name.rsplit("/", 1)[-1],
        content_type=content_type,
        request=context.get("request"),
    )


class ProviderRequestSerializer(PlainChoicesMixin, serializers.ModelSerializer):
    """A request as its provider sees it in the list: what to verify and the answer so far."""

    request = serializers.SerializerMethodField()
    learner_id = serializers.UUIDField(source="request.learner.learner_id", read_only=True)
    status = choice_integer(ResultStatus.choices, required=False, help_text="Result status:")
    result = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        allow_null=True,
        help_text="0..1; null for an answer without a score (stored as an error).",
    )
    code = choice_integer(ResultCode.choices, required=False, help_text="Result code:")
    error_message = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=10000
    )
    message_code = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=50
    )
    audit = serializers.JSONField(required=False, allow_null=True)
    audit_data = serializers.JSONField(
        required=False, allow_null=True, write_only=True, help_text="Alias of `audit`."
    )

    class Meta:
        model = RequestProviderResult
        fields = [
            "id",
            "request",
            "learner_id",
            "status",
            "result",
            "code",
            "error_message",
            "message_code",
            "audit",
            "audit_data",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "data": {"type": "string", "format": "uri", "nullable": True},
                "instruments": {"type": "array", "items": {"type": "integer"}},
                "activity_id": {"type": "integer", "nullable": True},
                "course_id": {"type": "integer", "nullable": True},
                "session_id": {"type": "integer", "nullable": True},
                "metadata": {"type": "object", "nullable": True},
                "created_at": {"type": "string", "format": "date-time"},
            },
        }
    )
    def get_request(self, row):
        request_row = row.request
        return {
            "id": request_row.pk,
            "data": stored_file_link(self.context, request_row.data),
            "instruments": sorted(instrument.pk for instrument in request_row.instruments.all()),
            "activity_id": request_row.activity_id,
            "course_id": request_row.activity.course_id if request_row.activity else None,
            "session_id": request_row.session_id,
            "metadata": request_row.metadata,
            "created_at": serializers.DateTimeField().to_representation(request_row.created_at),
        }

    def validate(self, attrs):
        if "audit_data" in attrs:
            attrs["audit"] = attrs.pop("audit_data")
        return attrs


class ProviderRequestDetailSerializer(ProviderRequestSerializer):
    """A request as its provider reads it, with the stored sample or document inline
    (`data`: `{learner_id, course_id, activity_id, session_id, instruments, metadata, data}`)."""

    data = serializers.SerializerMethodField()

    class Meta(ProviderRequestSerializer.Meta):
        fields = [*ProviderRequestSerializer.Meta.fields, "data"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, row):
        return self.context.get("payload")


class ProviderRequestStatusSerializer(serializers.Serializer):
    status = choice_integer(ResultStatus.choices, help_text="Result status:")


class ProviderRequestClaimSerializer(serializers.Serializer):
    """Query of a pull-style poller."""

    claim = serializers.BooleanField(
        default=False,
        help_text="Take up to `limit` pending requests for this poller: they turn Processing "
        "and no concurrent poller gets them (handed out again if unanswered after "
        "PROVIDER_CLAIM_SECONDS).",
    )


class ProviderEnrolmentSerializer(serializers.ModelSerializer):
    """A learner's model with this provider: how complete it is (0..1), whether it can
    analyse, who holds its lock, the model file (`model`: a signed link, null before the first
    upload) and how many samples it holds. Opening it (POST) also answers `model_upload_url`
    `{url, fields}`: a multipart POST of `fields` plus the file as `file` stores the model."""

    learner_id = serializers.UUIDField(source="learner.learner_id", read_only=True)
    is_locked = serializers.SerializerMethodField()
    percentage = serializers.FloatField(read_only=True)
    model = serializers.SerializerMethodField()
    model_upload_url = serializers.SerializerMethodField()
    model_total_samples = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "learner_id",
            "percentage",
            "can_analyse",
            "is_locked",
            "locked_at",
            "locked_by",
            "model",
            "model_upload_url",
            "model_total_samples",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_locked(self, enrolment) -> bool:
        return enrolment.locked_at is not None and enrolment.locked_by is not None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_model(self, enrolment) -> str | None:
        return stored_file_link(self.context, enrolment.model)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"url": {"type": "string", "format": "uri"}, "fields": {}},
        }
    )
    def get_model_upload_url(self, enrolment):
        return self.context.get("model_upload_url")

    def get_model_total_samples(self, enrolment) -> int:
        return len(enrolment.model_samples.all())


class ProviderEnrolmentCreateSerializer(serializers.Serializer):
    """Open (or create) a learner's model and lock it for a task."""

    learner_id = serializers.UUIDField()
    task_id = serializers.UUIDField()


class ProviderEnrolmentUpdateSerializer(serializers.Serializer):
    """Store a model's new state and release the lock held by `task_id` (upload the model
    file first, through `model_upload_url`)."""

    learner_id = serializers.UUIDField(required=False, help_text="Ignored: the URL names it.")
    task_id = serializers.UUIDField(required=False, allow_null=True)
    percentage = serializers.FloatField(min_value=0, max_value=1, required=False)
    can_analyse = serializers.BooleanField(required=False)
    used_samples = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        max_length=100000,
        help_text="Ids of the enrolment samples the model holds.",
    )

    def validate(self, attrs):
        attrs.pop("learner_id", None)
        if attrs.get("used_samples", ()) is None:
            attrs.pop("used_samples")
        return attrs


class ProviderEnrolmentUnlockSerializer(serializers.Serializer):
    token = serializers.UUIDField(help_text="The task id that holds the lock.")


class ProviderEnrolmentSampleSerializer(PlainChoicesMixin, serializers.ModelSerializer):
    """An enrolment sample as a provider reads it: `data` is a signed link to the stored
    JSON `{learner_id, data, instruments, metadata}` the browser plugin sent."""

    learner_id = serializers.UUIDField(source="learner.learner_id", read_only=True)
    data = serializers.SerializerMethodField()
    instruments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = EnrolmentSample
        fields = [
            "id",
            "learner_id",
            "data",
            "status",
            "instruments",
            "error_message",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_data(self, sample) -> str | None:
        return stored_file_link(self.context, sample.data)


class ProviderSampleValidationSerializer(PlainChoicesMixin, serializers.ModelSerializer):
    """The provider's validation of an enrolment sample. PUT stores its verdict: `status`
    (0-4), `error_message`, `message_code_id`, `contribution` (0..1) and `validation_info`
    (any JSON, read back through the `info` link)."""

    provider = serializers.IntegerField(source="provider_id", read_only=True)
    sample = ProviderEnrolmentSampleSerializer(read_only=True)
    status = choice_integer(SampleStatus.choices, help_text="Validation status:")
    info = serializers.SerializerMethodField()
    validation_info = serializers.JSONField(write_only=True, required=False, allow_null=True)
    message_code_id = serializers.CharField(
        source="message_code", required=False, allow_null=True, allow_blank=True, max_length=50
    )
    contribution = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    error_message = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=10000
    )

    class Meta:
        model = EnrolmentSampleValidation
        fields = [
            "id",
            "status",
            "info",
            "validation_info",
            "provider",
            "sample",
            "error_message",
            "contribution",
            "message_code_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_info(self, validation) -> str | None:
        return stored_file_link(self.context, validation.info)


class ProviderSampleValidationStatusSerializer(serializers.Serializer):
    status = choice_integer(SampleStatus.choices, help_text="Validation status:")


# LAPI ----------------------------------------------------------------------------------------


class LAPIVerificationSerializer(serializers.Serializer):
    """A sample sent by the browser plugin (or a document sent by a VLE) to verify."""

    learner_id = serializers.UUIDField()
    course_id = serializers.IntegerField(min_value=1)
    activity_id = serializers.IntegerField(min_value=1)
    session_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    data = serializers.CharField(allow_blank=True, trim_whitespace=False)
    instruments = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=50
    )
    metadata = serializers.DictField(required=False, default=dict)


class LAPIEnrolmentMetadataSerializer(serializers.Serializer):
    filename = serializers.CharField(required=False, allow_null=True, default=None)
    mimetype = serializers.CharField()
    context = serializers.JSONField(required=False, allow_null=True, default=None)


class LAPIEnrolmentSerializer(serializers.Serializer):
    """An enrolment sample sent by the browser plugin (the original's body)."""

    learner_id = serializers.UUIDField()
    data = serializers.CharField(trim_whitespace=False)
    instruments = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=50
    )
    metadata = LAPIEnrolmentMetadataSerializer()


class LAPIEnrolmentResponseSerializer(serializers.Serializer):
    status = serializers.CharField()
    sample_id = serializers.IntegerField(required=False)
    path = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)


class LAPIVerificationResponseSerializer(serializers.Serializer):
    status = serializers.CharField()
    request_id = serializers.IntegerField(required=False)
    path = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)
