"""Verification: providers that implement instruments, learners' enrolment models,
verification requests and their results, and the per-learner activity reports built from
them (with histograms and alerts)."""

from django.db import models

from institution.models import Learner
from tesla.models import ModuleCredentials, TimeStampedModel
from vle.models import Activity, AssessmentSession, Instrument


class AlertLevel(models.IntegerChoices):
    """Level of one report dimension (identity, content, integrity)."""

    PENDING = 0, "Pending"
    NO_INFORMATION = 1, "No information"
    OK = 2, "Ok"
    WARNING = 3, "Warning"
    ALERT = 4, "Alert"


class ResultCode(models.IntegerChoices):
    PENDING = 0, "Pending"
    OK = 1, "Ok"
    WARNING = 2, "Warning"
    ALERT = 3, "Alert"


class RequestStatus(models.IntegerChoices):
    STORED = 0, "Stored"
    SCHEDULED = 1, "Scheduled"
    PROCESSING = 2, "Processing"
    PROCESSED = 3, "Processed"
    ERROR = 4, "Error"
    TIMEOUT = 5, "Timeout"
    MISSING_PROVIDER = 6, "Missing provider"


class ResultStatus(models.IntegerChoices):
    PENDING = 0, "Pending"
    PROCESSED = 1, "Processed"
    ERROR = 2, "Error"
    TIMEOUT = 3, "Timeout"
    MISSING_PROVIDER = 4, "Missing provider"
    MISSING_ENROLMENT = 5, "Missing enrolment"
    PROCESSING = 6, "Processing"
    WAITING_EXTERNAL_SERVICE = 7, "Waiting external service"


class Provider(ModuleCredentials, TimeStampedModel):
    """A verification service implementing an instrument. Results are normalised to 0..1;
    below `alert_below` (or above it, with inverted polarity) a result is an alert."""

    instrument = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.SET_NULL, related_name="providers"
    )
    name = models.CharField(max_length=250)
    description = models.TextField(null=True, blank=True)
    url = models.CharField(max_length=250, null=True, blank=True)
    version = models.CharField(max_length=15, null=True, blank=True)
    acronym = models.CharField(max_length=30, unique=True)
    queue = models.CharField(max_length=50, unique=True)
    enabled = models.BooleanField(default=False)
    allow_validation = models.BooleanField(default=False)
    validation_active = models.BooleanField(default=False)
    alert_below = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    warning_below = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    inverted_polarity = models.BooleanField(default=False)
    image = models.CharField(max_length=250, null=True, blank=True)
    has_service = models.BooleanField(default=False)
    service_port = models.IntegerField(null=True, blank=True)
    options_schema = models.JSONField(null=True, blank=True)
    options = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.acronym


class SampleStatus(models.IntegerChoices):
    """Status of an enrolment sample and of each provider's validation of it (the SDK's
    `SampleValidationStatus`)."""

    VALIDATING = 0, "Validating"
    VALID = 1, "Valid"
    ERROR = 2, "Error"
    TIMEOUT = 3, "Timeout"
    WAITING_EXTERNAL_SERVICE = 4, "Waiting external service"


class EnrolmentSample(TimeStampedModel):
    """A sample the browser plugin captured so that providers can build a learner's model
    (a face picture, a typing session...). It becomes usable once every validating provider
    accepts it; then the providers of its instruments enrol it into their models."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolment_samples")
    status = models.IntegerField(choices=SampleStatus.choices, default=SampleStatus.VALIDATING)
    instruments = models.ManyToManyField(Instrument, related_name="+")
    # The storage key is built by the intake service ({inst}/enrolment/{learner}/samples/...).
    data = models.FileField(upload_to="", max_length=255)
    error_message = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"enrolment sample {self.pk}"


class EnrolmentSampleValidation(TimeStampedModel):
    """One provider's verdict on whether an enrolment sample is usable (e.g. one face in the
    picture), with what it contributes to the model (0..1) and optional validation info the
    provider reads back when it enrols the sample."""

    sample = models.ForeignKey(
        EnrolmentSample, on_delete=models.CASCADE, related_name="validations"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="sample_validations"
    )
    status = models.IntegerField(choices=SampleStatus.choices, default=SampleStatus.VALIDATING)
    info = models.FileField(upload_to="", max_length=255, null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    message_code = models.CharField(max_length=50, null=True, blank=True)
    contribution = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "provider"], name="unique_sample_validation")
        ]

    def __str__(self) -> str:
        return f"sample {self.sample_id} / provider {self.provider_id}"


class Enrolment(TimeStampedModel):
    """How far a provider's biometric model of a learner is built (percentage 0..1), the
    model file itself (written by the provider through a signed upload link) and the samples
    it was built from."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="enrolments")
    percentage = models.FloatField(default=0.0)
    can_analyse = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.UUIDField(null=True, blank=True)
    model = models.FileField(upload_to="", max_length=255, null=True, blank=True)
    model_samples = models.ManyToManyField(EnrolmentSample, blank=True, related_name="models")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "provider"], name="unique_enrolment")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.provider_id}"


class Request(TimeStampedModel):
    """One sample or submitted document of a learner to verify with some instruments."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="requests")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    session = models.ForeignKey(
        AssessmentSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    status = models.IntegerField(choices=RequestStatus.choices, default=RequestStatus.STORED)
    instruments = models.ManyToManyField(Instrument, related_name="+", blank=True)
    # The storage key is built by the intake service ({inst}/requests/{learner}/...).
    data = models.FileField(upload_to="", max_length=255, null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    message_code = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["activity", "learner"])]

    def __str__(self) -> str:
        return f"request {self.pk}"


class ResultFields(models.Model):
    status = models.IntegerField(choices=ResultStatus.choices, default=ResultStatus.PENDING)
    result = models.FloatField(default=0.0)
    code = models.IntegerField(choices=ResultCode.choices, default=ResultCode.PENDING)
    error_message = models.TextField(null=True, blank=True)
    message_code = models.CharField(max_length=50, null=True, blank=True)
    audit = models.JSONField(null=True, blank=True)

    class Meta:
        abstract = True


class RequestResult(ResultFields, TimeStampedModel):
    """The summary for one instrument of a request, over all its providers."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="results")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "instrument"], name="unique_request_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"request {self.request_id} / instrument {self.instrument_id}"


class RequestProviderResult(ResultFields, TimeStampedModel):
    """What one provider answered for a request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="provider_results")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="results")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "request"], name="unique_provider_request")
        ]

    def __str__(self) -> str:
        return f"request {self.request_id} / provider {self.provider_id}"


class ProviderNotification(TimeStampedModel):
    """A call a provider asked to receive later (`provider_notify`), e.g. to poll an external
    service for a delayed result. One per provider and `key` (posting the key again moves its
    time and merges its `info`); it stays until the provider deletes it after handling it.
    `queued`: a `provider_notify` job for it is in the outbox (it is due and was handed over)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=250)
    info = models.JSONField(null=True, blank=True)
    when = models.DateTimeField(help_text="Not before this time.")
    queued = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "key"], name="unique_provider_notification")
        ]
        indexes = [models.Index(fields=["queued", "when"], name="provider_notification_due")]

    def __str__(self) -> str:
        return f"{self.provider_id}/{self.key}"


class ProviderWebhook(TimeStampedModel):
    """How a provider's external service posts results back (`POST /api/webhooks/`), as the
    original's webhook clients: a request carrying the header `client_header` is this
    provider's, signed in `TESLA-SIGN` with `secret` (HMAC-SHA512), and the header `id_header`
    (when set) names the message so a resent one is applied once."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="webhook")
    client_header = models.CharField(max_length=100, unique=True, help_text="e.g. TESLA-TPT-METHOD")
    id_header = models.CharField(
        max_length=100, blank=True, default="", help_text="e.g. TESLA-TPT-MESSAGE-ID"
    )
    secret = models.CharField(
        max_length=200, help_text="Shared with the external service; signs its messages."
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"webhook of {self.provider_id} ({self.client_header})"


class WebhookMessage(models.Model):
    """A webhook message that was applied. A message with the same id, or the same signed
    body, is never applied again (a replayed or resent message changes nothing)."""

    webhook = models.ForeignKey(ProviderWebhook, on_delete=models.CASCADE, related_name="messages")
    message_id = models.CharField(max_length=250)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the signed body.")
    body = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "message_id"], name="unique_webhook_message_id"
            ),
            models.UniqueConstraint(fields=["webhook", "digest"], name="unique_webhook_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id}/{self.message_id}"


class LevelFields(models.Model):
    identity_level = models.SmallIntegerField(
        choices=AlertLevel.choices, default=AlertLevel.PENDING
    )
    content_level = models.SmallIntegerField(choices=AlertLevel.choices, default=AlertLevel.PENDING)
    integrity_level = models.SmallIntegerField(
        choices=AlertLevel.choices, default=AlertLevel.PENDING
    )

    class Meta:
        abstract = True


class ReportActivity(LevelFields, TimeStampedModel):
    """A learner's report for one activity: the worst level per dimension. Built by
    reports.services.building; its JSON summary and audit trails are assembled on read
    (reports.selectors) from the verification rows, so they cannot go stale."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="reports")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reports")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "report activities"
        constraints = [
            models.UniqueConstraint(fields=["learner", "activity"], name="unique_report_activity")
        ]

    def __str__(self) -> str:
        return f"report of learner {self.learner_id} on activity {self.activity_id}"


class ReportActivityInstrument(LevelFields, TimeStampedModel):
    """One instrument's part of a learner's activity report (values in percent 0-100)."""

    report = models.ForeignKey(ReportActivity, on_delete=models.CASCADE, related_name="detail")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    enrolment = models.SmallIntegerField(default=0)
    confidence = models.SmallIntegerField(default=0)
    result = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "instrument"], name="unique_report_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"report {self.report_id} / instrument {self.instrument_id}"


class ReportActivitySession(LevelFields, TimeStampedModel):
    """One assessment session's part of a learner's activity report."""

    report = models.ForeignKey(ReportActivity, on_delete=models.CASCADE, related_name="sessions")
    session = models.OneToOneField(
        AssessmentSession, on_delete=models.CASCADE, related_name="report"
    )
    total_requests = models.IntegerField(default=0)
    pending_requests = models.IntegerField(default=0)
    valid_requests = models.IntegerField(default=0)
    processed_requests = models.IntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"report {self.report_id} / session {self.session_id}"


class Histogram(models.Model):
    """Ten bins of results: b0 counts results in [0, 0.1), ..., b9 those in [0.9, 1]."""

    b0 = models.BigIntegerField(default=0)
    b1 = models.BigIntegerField(default=0)
    b2 = models.BigIntegerField(default=0)
    b3 = models.BigIntegerField(default=0)
    b4 = models.BigIntegerField(default=0)
    b5 = models.BigIntegerField(default=0)
    b6 = models.BigIntegerField(default=0)
    b7 = models.BigIntegerField(default=0)
    b8 = models.BigIntegerField(default=0)
    b9 = models.BigIntegerField(default=0)

    BINS = tuple(f"b{i}" for i in range(10))

    class Meta:
        abstract = True

    @property
    def bins(self) -> list[int]:
        return [getattr(self, name) for name in self.BINS]

    @staticmethod
    def bin_of(result: float) -> int:
        return min(max(int(result * 10), 0), 9)


class HistogramLearnerInstrument(Histogram):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "instrument"], name="unique_histogram_learner_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"learner {self.learner_id} / instrument {self.instrument_id}"


class HistogramLearnerProvider(Histogram):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "provider"], name="unique_histogram_learner_provider"
            )
        ]

    def __str__(self) -> str:
        return f"learner {self.learner_id} / provider {self.provider_id}"


class HistogramActivityInstrument(Histogram):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "instrument"], name="unique_histogram_activity_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} / instrument {self.instrument_id}"


class HistogramActivityProvider(Histogram):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "provider"], name="unique_histogram_activity_provider"
            )
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} / provider {self.provider_id}"


class Alert(TimeStampedModel):
    """Something the browser plugin noticed during a session (e.g. no face on camera)."""

    class Level(models.IntegerChoices):
        INFO = 0, "INFO"
        WARNING = 1, "WARNING"
        ALERT = 2, "ALERT"
        ERROR = 3, "ERROR"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="alerts")
    level = models.IntegerField(choices=Level.choices, default=Level.INFO)
    instruments = models.ManyToManyField(Instrument, blank=True, related_name="+")
    session = models.ForeignKey(
        AssessmentSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="alerts")
    message_code = models.CharField(max_length=50, null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
