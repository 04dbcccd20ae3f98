"""Informed consent: the institution's versions, their documents per language, and the
learner's acceptance or rejection of the version in force."""

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from institution.models import (
    InformedConsent,
    InformedConsentDocument,
    Institution,
    Learner,
)
from institution.selectors import current_informed_consent
from tesla.deletion import delete_file_after_commit
from tesla.errors import Conflict
from tesla.services import model_update

VERSION_RE = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")


def informed_consent_normalise_version(version: str) -> str:
    """`X.Y.Z` with integers, written without leading zeros ("01.2.3" -> "1.2.3")."""
    match = VERSION_RE.fullmatch((version or "").strip())
    if match is None:
        raise ValidationError({"version": ["Version must have the form X.Y.Z with integers."]})
    return ".".join(str(int(part)) for part in match.groups())


def _check_unique_version(*, institution: Institution, version: str, consent=None) -> None:
    others = InformedConsent.objects.filter(institution=institution, version=version)
    if consent is not None:
        others = others.exclude(pk=consent.pk)
    if others.exists():
        raise Conflict("This version already exists in the institution.", field="version")


def informed_consent_create(
    *, institution: Institution, version: str, valid_from: datetime
) -> InformedConsent:
    """A new version of the institution's informed consent, valid from a date."""
    version = informed_consent_normalise_version(version)
    _check_unique_version(institution=institution, version=version)
    return InformedConsent.objects.create(
        institution=institution, version=version, valid_from=valid_from
    )


def informed_consent_update(*, consent: InformedConsent, **changes) -> InformedConsent:
    """Change a consent's version number or validity date (versions stay unique)."""
    if "version" in changes:
        changes["version"] = informed_consent_normalise_version(changes["version"])
        _check_unique_version(
            institution=consent.institution, version=changes["version"], consent=consent
        )
    model_update(instance=consent, data=changes)
    return consent


def ic_document_check_pdf(pdf) -> None:
    """A consent document's file must be a PDF no larger than IC_DOCUMENT_MAX_BYTES."""
    if pdf is None:
        return
    if pdf.size > settings.IC_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"pdf": [f"The file is larger than {settings.IC_DOCUMENT_MAX_BYTES} bytes."]}
        )
    pdf.seek(0)
    head = pdf.read(5)
    pdf.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"pdf": ["The file is not a PDF document."]})


def _check_unique_language(*, consent: InformedConsent, language: str, document=None) -> None:
    others = InformedConsentDocument.objects.filter(consent=consent, language=language)
    if document is not None:
        others = others.exclude(pk=document.pk)
    if others.exists():
        raise Conflict("This consent already has a document in this language.", field="language")


def ic_document_create(
    *, consent: InformedConsent, language: str, html: str | None = None, pdf=None
) -> InformedConsentDocument:
    """The text of a consent version in one more language (one document per language)."""
    _check_unique_language(consent=consent, language=language)
    ic_document_check_pdf(pdf)
    return InformedConsentDocument.objects.create(
        consent=consent, language=language, html=html, pdf=pdf
    )


def ic_document_update(*, document: InformedConsentDocument, **changes) -> InformedConsentDocument:
    """Change a document's language, HTML or PDF; a replaced PDF file is deleted."""
    if "language" in changes:
        _check_unique_language(
            consent=document.consent, language=changes["language"], document=document
        )
    if "pdf" in changes:
        ic_document_check_pdf(changes["pdf"])
        delete_file_after_commit(document.pdf)
    model_update(instance=document, data=changes)
    return document


def ic_document_delete(*, document: InformedConsentDocument) -> None:
    """Remove a document; its PDF file goes with the row (institution.apps)."""
    document.delete()


def _consent_key(version: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in informed_consent_normalise_version(version).split("."))


def learner_accept_consent(*, learner: Learner, version: str, now=None) -> Learner:
    """The learner accepts the institution's current informed consent.

    Only the current version (the highest already valid) can be accepted, and accepting the
    version the learner already holds is refused; a previous rejection is cleared."""
    now = now or timezone.now()
    wanted = _consent_key(version)
    current = current_informed_consent(learner.institution_user.institution_id, now)
    if current is None:
        raise ValidationError({"version": ["The institution has no informed consent in force."]})
    if current.version_key != wanted:
        raise ValidationError(
            {"version": [f"Only the current version ({current.version}) can be accepted."]}
        )
    if learner.consent_id == current.pk and learner.consent_rejected is None:
        raise ValidationError({"version": ["The learner has already accepted this version."]})
    learner.consent = current
    learner.consent_accepted = now
    learner.consent_rejected = None
    learner.save(update_fields=["consent", "consent_accepted", "consent_rejected"])
    return learner


def learner_reject_consent(*, learner: Learner, now=None) -> bool:
    """The learner withdraws the consent they gave. Returns False when there is nothing to
    reject (no consent, or already rejected)."""
    if learner.consent_id is None or learner.consent_rejected is not None:
        return False
    learner.consent_rejected = now or timezone.now()
    learner.save(update_fields=["consent_rejected"])
    return True
