"""§6 informed consents, §7 their documents, and §12 a learner accepting or rejecting the
consent in force."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from institution.models import InformedConsent, InformedConsentDocument
from tests import factories
from tests.institution.conftest import PDF_BYTES, make_consent


# §6 ---------------------------------------------------------------------------------------
def test_create_normalises_version(api, base, institution):
    response = api("legal_admin").post(
        base("ic/"), {"version": " 01.02.003 ", "valid_from": "2024-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == "1.2.3"
    assert response.json()["institution"]["id"] == institution.pk
    assert InformedConsent.objects.get(institution=institution).version == "1.2.3"


@pytest.mark.parametrize("version", ["1.2", "1.2.3.4", "a.b.c", "1.-2.3", "", "v1.0.0", "1..0"])
def test_version_must_be_three_integers(api, base, version):
    response = api("legal_admin").post(
        base("ic/"), {"version": version, "valid_from": "2024-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_version_is_unique_per_institution(api, base, consent, other_institution):
    make_consent(other_institution, "2.0.0")
    client = api("legal_admin")
    response = client.post(
        base("ic/"), {"version": "001.0.0", "valid_from": "2024-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 409
    assert "version" in response.json()
    # the same number in another institution is no conflict
    response = client.post(
        base("ic/"), {"version": "2.0.0", "valid_from": "2024-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 201


def test_update_to_an_existing_version_is_409(api, base, consent, institution):
    other = make_consent(institution, "1.1.0")
    response = api("legal_admin").patch(
        base(f"ic/{other.pk}/"), {"version": "1.0.0"}, format="json"
    )
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.version == "1.1.0"


def test_ic_missing_valid_from_and_bad_dates(api, base):
    client = api("legal_admin")
    response = client.post(base("ic/"), {"version": "1.0.0"}, format="json")
    assert response.status_code == 400 and "valid_from" in response.json()
    response = client.post(
        base("ic/"), {"version": "1.0.0", "valid_from": "tomorrow"}, format="json"
    )
    assert response.status_code == 400 and "valid_from" in response.json()
    response = client.post(base("ic/"), {"version": "1." * 200 + "0", "valid_from": "2024-01-01"})
    assert response.status_code == 400 and "version" in response.json()


def test_current_is_the_highest_valid_version(api, base, institution):
    make_consent(institution, "1.9.0")
    best = make_consent(institution, "1.10.0")  # numeric, not text, order
    make_consent(institution, "2.0.0", days=+3)  # not valid yet
    response = api("learner_token").get(base("ic/current/"))
    assert response.status_code == 200
    assert response.json()["id"] == best.pk
    assert response.json()["version"] == "1.10.0"


def test_current_is_also_a_one_item_page(api, base, institution):
    best = make_consent(institution, "1.0.0")

    body = api("member").get(base("ic/current/")).json()

    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert [item["id"] for item in body["results"]] == [best.pk]
    assert body["results"][0]["version"] == body["version"] == "1.0.0"


def test_current_without_consent_in_force_is_404(api, base, institution):
    make_consent(institution, "1.0.0", days=+1)
    assert api("member").get(base("ic/current/")).status_code == 404


def test_current_of_another_institution_is_404(api, other_institution):
    make_consent(other_institution)
    response = api("inst_admin").get(f"/api/v2/institution/{other_institution.pk}/ic/current/")
    assert response.status_code == 404


def test_ic_list_is_scoped(api, base, consent, other_institution):
    make_consent(other_institution)
    response = api("member").get(base("ic/"))
    assert [item["id"] for item in response.json()["results"]] == [consent.pk]


# §7 ---------------------------------------------------------------------------------------
def doc_url(base, consent, tail=""):
    return base(f"ic/{consent.pk}/document/{tail}")


def test_create_document_with_pdf_upload(api, base, consent):
    pdf = SimpleUploadedFile("consent.pdf", PDF_BYTES, content_type="application/pdf")
    response = api("legal_admin").post(
        doc_url(base, consent),
        {"language": "ca", "html": "<p>hola</p>", "pdf": pdf},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["language"] == "ca" and body["consent"]["id"] == consent.pk
    # `pdf` is a signed, expiring link named after the file, not a (public) media URL.
    assert body["pdf"].startswith("http://testserver/api/v2/files/")
    assert body["pdf"].endswith(f"/informed-consent-{consent.version}-ca.pdf")
    document = InformedConsentDocument.objects.get(consent=consent, language="ca")
    assert document.pdf.name.endswith(".pdf")
    assert document.pdf.read() == PDF_BYTES


def test_document_is_addressed_by_language(api, base, document):
    response = api("member").get(doc_url(base, document.consent, "en/"))
    assert response.status_code == 200
    assert response.json()["html"] == "<p>x</p>"
    assert api("member").get(doc_url(base, document.consent, "fr/")).status_code == 404


def test_duplicate_language_is_409(api, base, document):
    client = api("legal_admin")
    response = client.post(doc_url(base, document.consent), {"language": "en"}, format="json")
    assert response.status_code == 409
    assert "language" in response.json()
    other = InformedConsentDocument.objects.create(consent=document.consent, language="es")
    response = client.patch(doc_url(base, document.consent, "es/"), {"language": "en"})
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.language == "es"


def test_same_language_in_another_version_is_fine(api, base, document, institution):
    second = make_consent(institution, "2.0.0")
    response = api("legal_admin").post(doc_url(base, second), {"language": "en"}, format="json")
    assert response.status_code == 201


def test_pdf_too_large_is_rejected(api, base, consent, settings):
    settings.IC_DOCUMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200, content_type="application/pdf")
    response = api("legal_admin").post(
        doc_url(base, consent), {"language": "en", "pdf": big}, format="multipart"
    )
    assert response.status_code in (400, 413)
    assert "pdf" in response.json()
    assert not InformedConsentDocument.objects.exists()


def test_pdf_must_be_a_pdf(api, base, consent):
    fake = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = api("legal_admin").post(
        doc_url(base, consent), {"language": "en", "pdf": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert "pdf" in response.json()


def test_pdf_as_json_string_is_400(api, base, consent):
    response = api("legal_admin").post(
        doc_url(base, consent), {"language": "en", "pdf": "file.pdf"}, format="json"
    )
    assert response.status_code == 400
    assert "pdf" in response.json()


def test_replacing_the_pdf_deletes_the_old_file(
    api, base, consent, django_capture_on_commit_callbacks
):
    client = api("legal_admin")
    first = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(doc_url(base, consent), {"language": "en", "pdf": first}, format="multipart")
    old = InformedConsentDocument.objects.get().pdf
    storage, old_name = old.storage, old.name
    second = SimpleUploadedFile("b.pdf", PDF_BYTES, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(doc_url(base, consent, "en/"), {"pdf": second}, format="multipart")
    assert response.status_code == 200
    assert not storage.exists(old_name)
    assert storage.exists(InformedConsentDocument.objects.get().pdf.name)


@pytest.mark.parametrize("language", ["", "e n", "en/x", "x" * 31])
def test_bad_language(api, base, consent, language):
    response = api("legal_admin").post(
        doc_url(base, consent), {"language": language}, format="json"
    )
    assert response.status_code == 400
    assert "language" in response.json()


def test_documents_of_a_foreign_consent_are_404(api, other_institution):
    foreign = make_consent(other_institution)
    InformedConsentDocument.objects.create(consent=foreign, language="en")
    url = f"/api/v2/institution/{other_institution.pk}/ic/{foreign.pk}/document/"
    assert api("inst_admin").get(url).status_code == 404


def test_consent_of_another_institution_under_ours_is_404(api, base, other_institution):
    foreign = make_consent(other_institution)
    assert api("inst_admin").get(base(f"ic/{foreign.pk}/document/")).status_code == 404


# §12 accepting and rejecting --------------------------------------------------------------
@pytest.fixture
def me(learner):
    return learner.institution_user.learner


def ic_url(base, learner):
    return base(f"learner/{learner.pk}/ic/")


def test_learner_accepts_the_current_version(api, base, consent, me):
    response = api("learner").post(ic_url(base, me), {"version": "01.0.0"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["consent"] == {"version": "1.0.0", "status": "VALID"}
    assert body["ic_status"] == "VALID"
    me.refresh_from_db()
    assert me.consent == consent and me.consent_accepted is not None
    assert me.consent_rejected is None


def test_accepting_through_the_spec_shaped_body(api, base, consent, me):
    response = api("learner_token").post(
        ic_url(base, me), {"consent": {"version": "1.0.0"}, "email": "x@y.z"}, format="json"
    )
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.consent == consent


def test_only_the_current_version_can_be_accepted(api, base, consent, me, institution):
    make_consent(institution, "0.9.0")
    make_consent(institution, "2.0.0", days=+5)
    client = api("learner")
    for version in ("0.9.0", "2.0.0", "7.7.7"):
        response = client.post(ic_url(base, me), {"version": version}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()
    me.refresh_from_db()
    assert me.consent is None


def test_accepting_without_consent_in_force_is_400(api, base, me):
    response = api("learner").post(ic_url(base, me), {"version": "1.0.0"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.parametrize("body", [{}, {"version": ""}, {"version": 5}, {"version": "abc"}])
def test_accepting_with_a_bad_body_is_400(api, base, consent, me, body):
    response = api("learner").post(ic_url(base, me), body, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_accepting_the_version_already_held_is_400(api, base, consent, me):
    client = api("learner")
    assert client.post(ic_url(base, me), {"version": "1.0.0"}, format="json").status_code == 200
    response = client.post(ic_url(base, me), {"version": "1.0.0"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_reject_then_accept_again(api, base, consent, me):
    client = api("learner")
    client.post(ic_url(base, me), {"version": "1.0.0"}, format="json")
    response = client.delete(ic_url(base, me))
    assert response.status_code == 200
    assert response.json()["ic_status"] == "NOT_VALID_REJECTED"
    me.refresh_from_db()
    assert me.consent_rejected is not None
    # nothing left to reject
    assert client.delete(ic_url(base, me)).status_code == 404
    # accepting again clears the rejection
    response = client.post(ic_url(base, me), {"version": "1.0.0"}, format="json")
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.consent_rejected is None and me.consent == consent


def test_rejecting_without_consent_is_404(api, base, me):
    assert api("learner").delete(ic_url(base, me)).status_code == 404


def test_new_minor_version_needs_a_new_acceptance(api, base, consent, me, institution):
    client = api("learner")
    client.post(ic_url(base, me), {"version": "1.0.0"}, format="json")
    patch = make_consent(institution, "1.0.1")
    body = client.get(base(f"learner/{me.pk}/")).json()
    assert body["ic_status"] == "VALID_NEED_UPDATE"
    patch.valid_from = timezone.now() + timedelta(days=1)
    patch.save()
    make_consent(institution, "1.1.0")
    body = client.get(base(f"learner/{me.pk}/")).json()
    assert body["ic_status"] == "NOT_VALID"
    assert body["consent"] == {"version": "1.0.0", "status": "NOT_VALID"}


def test_external_consent_counts_as_valid(api, base, me, institution):
    institution.external_ic = True
    institution.save()
    assert api("learner").get(base(f"learner/{me.pk}/")).json()["ic_status"] == "VALID_EXTERNAL"


def test_an_admin_cannot_accept_for_a_learner(api, base, consent, me):
    response = api("inst_admin").post(ic_url(base, me), {"version": "1.0.0"}, format="json")
    assert response.status_code == 403
    me.refresh_from_db()
    assert me.consent is None


def test_form_update_without_a_file_keeps_the_pdf(api, base, consent):
    client = api("legal_admin")
    pdf = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(doc_url(base, consent), {"language": "en", "pdf": pdf}, format="multipart")
    name = InformedConsentDocument.objects.get().pdf.name
    for empty_value in ("", "undefined"):
        response = client.put(
            doc_url(base, consent, "en/"),
            {"language": "en", "html": f"<p>{empty_value}v2</p>", "pdf": empty_value},
            format="multipart",
        )
        assert response.status_code == 200, response.json()
    document = InformedConsentDocument.objects.get()
    assert document.pdf.name == name and document.html == "<p>undefinedv2</p>"
    # an explicit JSON null removes it
    response = client.patch(doc_url(base, consent, "en/"), {"pdf": None}, format="json")
    assert response.status_code == 200
    assert response.json()["pdf"] is None


def test_learner_token_of_another_institution_sees_nothing_here(base, consent, foreign_learner):
    client = factories.client_for(foreign_learner)
    assert client.get(base("ic/current/")).status_code == 404
    assert client.get(base("ic/")).status_code == 404
    assert client.get(base(f"learner/{foreign_learner.pk}/")).status_code == 404
