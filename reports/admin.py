"""Admin site for providers, enrolments, verification requests and reports."""

from django.contrib import admin

from reports.models import (
    Alert,
    Enrolment,
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
    raw_id_fields = ("learner",)


class RequestResultInline(admin.TabularInline):
    model = RequestResult
    fields = ("instrument", "status", "result", "code")
    extra = 0


class RequestProviderResultInline(admin.TabularInline):
    model = RequestProviderResult
    fields = ("provider", "status", "result", "code")
    extra = 0


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("id", "learner", "activity", "session", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("learner", "activity", "session")
    inlines = [RequestResultInline, RequestProviderResultInline]


@admin.register(RequestResult)
class RequestResultAdmin(admin.ModelAdmin):
    list_display = ("id", "request", "instrument", "status", "result", "code")
    list_filter = ("status", "code", "instrument")
    raw_id_fields = ("request",)


@admin.register(RequestProviderResult)
class RequestProviderResultAdmin(admin.ModelAdmin):
    list_display = ("id", "request", "provider", "status", "result", "code")
    list_filter = ("status", "code", "provider")
    raw_id_fields = ("request",)


class ReportActivityInstrumentInline(admin.TabularInline):
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


class ReportActivitySessionInline(admin.TabularInline):
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
class ReportActivityAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "learner",
        "activity",
        "identity_level",
        "content_level",
        "integrity_level",
    )
    list_filter = ("identity_level", "content_level", "integrity_level")
    raw_id_fields = ("learner", "activity")
    inlines = [ReportActivityInstrumentInline, ReportActivitySessionInline]


@admin.register(
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    HistogramActivityInstrument,
    HistogramActivityProvider,
)
class HistogramAdmin(admin.ModelAdmin):
    list_display = ("id", "__str__", *(f"b{i}" for i in range(10)))


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("id", "learner", "activity", "session", "level", "raised_at")
    list_filter = ("level",)
    raw_id_fields = ("learner", "activity", "session")
