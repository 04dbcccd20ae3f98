"""Admin site for providers, enrolments, verification requests and reports.

Results, reports, histograms and alerts are computed from what providers answer: the admin
shows them and lets them be deleted with their learner or activity, but never added or edited
by hand (a rebuild would overwrite the edit, and until then reports would disagree with their
requests)."""

import base64

from django.contrib import admin
from django.utils.html import format_html

from reports import selectors
from reports.models import (
    Alert,
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    Provider,
    ProviderNotification,
    ProviderWebhook,
    ReportActivity,
    ReportActivityInstrument,
    ReportActivitySession,
    Request,
    RequestProviderResult,
    RequestResult,
    WebhookMessage,
)
from reports.services import exports


class ComputedAdminMixin:
    """View (and delete) only: no "Add", no editing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


LEARNER_ROW = ("learner__institution_user__user",)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "acronym",
        "name",
        "instrument",
        "enabled",
        "alert_below",
        "warning_below",
    )
    list_filter = ("enabled", "instrument", "inverted_polarity")
    search_fields = ("acronym", "name", "queue", "role_id")
    readonly_fields = ("role_id",)


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "provider", "key", "when", "queued", "updated_at")
    list_filter = ("queued", "provider")
    search_fields = ("key",)


@admin.register(ProviderWebhook)
class ProviderWebhookAdmin(admin.ModelAdmin):
    """Register a provider's external service (e.g. TPT: client header `TESLA-TPT-METHOD`,
    id header `TESLA-TPT-MESSAGE-ID`, the secret it signs with)."""

    list_display = ("id", "provider", "client_header", "id_header", "enabled")
    list_filter = ("enabled",)


@admin.register(WebhookMessage)
class WebhookMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "webhook", "message_id", "received_at")
    readonly_fields = ("webhook", "message_id", "digest", "body", "received_at")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("id", "learner", "provider", "percentage", "can_analyse", "locked_at")
    list_filter = ("can_analyse", "provider")
    list_select_related = (*LEARNER_ROW, "provider")
    raw_id_fields = ("learner",)


class EnrolmentSampleValidationInline(admin.TabularInline):
    model = EnrolmentSampleValidation
    fields = ("provider", "status", "contribution", "error_message")
    extra = 0


@admin.register(EnrolmentSample)
class EnrolmentSampleAdmin(admin.ModelAdmin):
    list_display = ("id", "learner", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("learner",)
    inlines = [EnrolmentSampleValidationInline]


class RequestResultInline(ComputedAdminMixin, admin.TabularInline):
    model = RequestResult
    fields = ("instrument", "status", "result", "code")
    extra = 0


class RequestProviderResultInline(ComputedAdminMixin, admin.TabularInline):
    model = RequestProviderResult
    fields = ("provider", "status", "result", "code")
    extra = 0


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("id", "learner", "activity", "session", "status", "created_at")
    list_filter = ("status",)
    list_select_related = (*LEARNER_ROW, "activity", "session")
    raw_id_fields = ("learner", "activity", "session")
    inlines = [RequestResultInline, RequestProviderResultInline]


@admin.register(RequestResult)
class RequestResultAdmin(ComputedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "request", "instrument", "status", "result", "code")
    list_filter = ("status", "code", "instrument")
    raw_id_fields = ("request",)


@admin.register(RequestProviderResult)
class RequestProviderResultAdmin(ComputedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "request", "provider", "status", "result", "code")
    list_filter = ("status", "code", "provider")
    raw_id_fields = ("request",)


class ReportActivityInstrumentInline(ComputedAdminMixin, admin.TabularInline):
    model = ReportActivityInstrument
    fields = (
        "instrument",
        "enrolment",
        "confidence",
        "result",
        "identity_level",
        "content_level",
        "integrity_level",
    )
    extra = 0


class ReportActivitySessionInline(ComputedAdminMixin, admin.TabularInline):
    model = ReportActivitySession
    fields = (
        "session",
        "total_requests",
        "pending_requests",
        "identity_level",
        "content_level",
        "integrity_level",
    )
    raw_id_fields = ("session",)
    extra = 0


@admin.register(ReportActivity)
class ReportActivityAdmin(ComputedAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "learner",
        "activity",
        "identity_level",
        "content_level",
        "integrity_level",
    )
    list_filter = ("identity_level", "content_level", "integrity_level")
    list_select_related = (*LEARNER_ROW, "activity")
    search_fields = (
        "learner__institution_user__uid",
        "learner__institution_user__user__first_name",
        "learner__institution_user__user__last_name",
    )
    fields = (
        "learner",
        "activity",
        "identity_level",
        "content_level",
        "integrity_level",
        "chart",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [ReportActivityInstrumentInline, ReportActivitySessionInline]

    @admin.display(description="Chart")
    def chart(self, report) -> str:
        """The report's chart, as the API draws it (`report/{r}/chart.svg`)."""
        svg = exports.report_chart_svg(
            report=report, context=selectors.report_context(report=report)
        )
        # An image, not inline markup: nothing in the drawing can run in the admin's page.
        return format_html(
            '<img src="data:image/svg+xml;base64,{}" alt="Report chart" style="max-width:100%">',
            base64.b64encode(svg.encode()).decode(),
        )


@admin.register(
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    HistogramActivityInstrument,
    HistogramActivityProvider,
)
class HistogramAdmin(ComputedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "__str__", *(f"b{i}" for i in range(10)))


@admin.register(Alert)
class AlertAdmin(ComputedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "learner", "activity", "session", "level", "raised_at")
    list_filter = ("level",)
    list_select_related = (*LEARNER_ROW, "activity", "session")
    raw_id_fields = ("learner", "activity", "session")
