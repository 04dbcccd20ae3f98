"""`GET /api/v2/institution/{i}/ic/{c}/document/{language}/pdf/`: the consent document's PDF,
for the callers who may read the document, and the document's `pdf` field pointing to it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from institution.models import InformedConsent, InformedConsentDocument
from institution.services.consent import ic_document_create
from tests.conftest import PERSONAS
from tests.downloads.conftest import PDF_BYTES, body_of
from tests.matrix import INSTITUTION, MEMBERS, Case, Fixtures, kw

pytestmark = pytest.mark.django_db

# Who reads consent documents (members, learner tokens, global admins) and who does not.
READERS = {"global_admin", *MEMBERS, "learner_token"}
ENGLISH = kw(institution_pk="institution.pk", ic_pk="consent.pk", language=lambda w: "en")
DETAIL = Case(
    "document", "get", "institution-ic-document-detail", INSTITUTION, READERS, kwargs=ENGLISH
)
PDF = Case("pdf", "get", "institution-ic-document-pdf", INSTITUTION, READERS, kwargs=ENGLISH)
CASES = [DETAIL, PDF]


@pytest.mark.parametrize("persona", PERSONAS)
def test_pdf_permission_matrix_follows_the_document_detail(request, api, pdf_document, persona):
    world = Fixtures(request)
    client = api(persona)
    detail = DETAIL.call(client, world).status_code
    download = PDF.call(client, world)
    expected = DETAIL.expected(persona)
    assert PDF.expected(persona) == expected
    assert (detail, download.status_code) == (expected, expected)
    if expected == 200:
        assert body_of(download) == PDF_BYTES


def test_pdf_comes_back_as_a_pdf_named_after_the_consent(api, pdf_document, ic_urls):
    response = api("member").get(ic_urls.pdf("en"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="informed-consent-1.0.0-en.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert body_of(response) == PDF_BYTES


def test_a_pdf_viewer_accepting_only_pdf_gets_the_file(api, pdf_document, ic_urls):
    response = api("learner_token").get(ic_urls.pdf("en"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert body_of(response) == PDF_BYTES


def test_no_pdf_unknown_language_or_lost_file_is_404(api, pdf_document, html_document, ic_urls):
    client = api("inst_admin")
    assert client.get(ic_urls.pdf("es")).status_code == 404
    assert client.get(ic_urls.pdf("fr")).status_code == 404
    pdf_document.pdf.storage.delete(pdf_document.pdf.name)
    assert client.get(ic_urls.pdf("en")).status_code == 404


def test_another_institutions_consent_is_404_even_with_a_pdf(
    api, institution, other_institution, pdf_document
):
    """Our admin reaches a foreign consent's PDF neither through our institution's URL nor
    through the foreign one."""
    foreign = InformedConsent.objects.create(
        institution=other_institution, version="1.0.0", valid_from=pdf_document.consent.valid_from
    )
    ic_document_create(
        consent=foreign,
        language="en",
        pdf=SimpleUploadedFile("f.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    client = api("inst_admin")
    for owner in (institution, other_institution):
        url = f"/api/v2/institution/{owner.pk}/ic/{foreign.pk}/document/en/pdf/"
        assert client.get(url).status_code == 404
    # ...while the foreign institution's own admin reads it.
    foreign_admin = api("foreign_admin")
    url = f"/api/v2/institution/{other_institution.pk}/ic/{foreign.pk}/document/en/pdf/"
    assert body_of(foreign_admin.get(url)) == PDF_BYTES


def test_pdf_field_is_a_signed_link_that_needs_no_credentials(
    api, pdf_document, html_document, ic_urls
):
    """The dashboard hands `pdf` to its PDF viewer and to plain links, which send no
    Authorization header: the link itself is the permission, and it names the file."""
    client = api("learner")
    detail = client.get(ic_urls.detail("en")).json()
    assert detail["pdf"].startswith("http://testserver/api/v2/files/")
    assert detail["pdf"].endswith("/informed-consent-1.0.0-en.pdf")
    assert pdf_document.pdf.name not in detail["pdf"] and "/media/" not in detail["pdf"]
    listed = {row["language"]: row["pdf"] for row in client.get(ic_urls.list).json()["results"]}
    assert listed.keys() == {"en", "es"} and listed["es"] is None
    assert listed["en"].endswith("/informed-consent-1.0.0-en.pdf")
    followed = Client().get(detail["pdf"], HTTP_ACCEPT="application/pdf")
    assert followed.status_code == 200
    assert followed["Content-Type"] == "application/pdf"
    assert body_of(followed) == PDF_BYTES
    assert Client().get(detail["pdf"].replace("/files/", "/files/0")).status_code == 404


def test_signed_pdf_link_expires(api, pdf_document, ic_urls, settings):
    settings.SIGNED_URL_MAX_AGE = -1
    link = api("learner").get(ic_urls.detail("en")).json()["pdf"]
    assert Client().get(link).status_code == 410


def test_learner_reads_a_consent_with_a_pdf_and_accepts_it(api, institution, learner, pdf_document):
    """The dashboard's consent page: the current consent, its documents (a PDF attached),
    the PDF itself without a token, then the learner's acceptance."""
    client = api("learner")
    root = f"/api/v2/institution/{institution.pk}"
    current = client.get(f"{root}/ic/current/").json()
    documents = client.get(f"{root}/ic/{current['id']}/document/").json()["results"]
    [english] = [row for row in documents if row["language"] == "en"]
    assert body_of(Client().get(english["pdf"])) == PDF_BYTES
    learner_id = learner.institution_user.learner.pk
    accepted = client.post(f"{root}/learner/{learner_id}/ic/", {"version": current["version"]})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["ic_status"].startswith("VALID")


def test_upload_replace_and_remove_keep_working(api, consent, ic_urls):
    client = api("legal_admin")
    created = client.post(
        ic_urls.list,
        {
            "language": "ca",
            "pdf": SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["pdf"].endswith("/informed-consent-1.0.0-ca.pdf")

    second = PDF_BYTES + b"% second version\n"
    replaced = client.put(
        ic_urls.detail("ca"),
        {
            "language": "ca",
            "html": "<p>v2</p>",
            "pdf": SimpleUploadedFile("b.pdf", second, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert replaced.status_code == 200, replaced.json()
    assert body_of(client.get(replaced.json()["pdf"])) == second

    renamed = client.patch(ic_urls.detail("ca"), {"language": "cat"}, format="json")
    assert renamed.json()["pdf"].endswith("/informed-consent-1.0.0-cat.pdf")
    assert body_of(client.get(renamed.json()["pdf"])) == second

    removed = client.patch(ic_urls.detail("cat"), {"pdf": None}, format="json")
    assert removed.status_code == 200
    assert removed.json()["pdf"] is None
    assert client.get(ic_urls.pdf("cat")).status_code == 404
    assert not InformedConsentDocument.objects.get(language="cat").pdf


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (b"<html>not a pdf</html>", "pdf"),
        (b"", "pdf"),
    ],
)
def test_uploads_are_still_checked(api, consent, ic_urls, upload, error):
    response = api("legal_admin").post(
        ic_urls.list,
        {"language": "en", "pdf": SimpleUploadedFile("x.pdf", upload)},
        format="multipart",
    )
    assert response.status_code == 400
    assert error in response.json()


def test_pdf_larger_than_allowed_is_refused(api, consent, ic_urls, settings):
    settings.IC_DOCUMENT_MAX_BYTES = len(PDF_BYTES)
    response = api("legal_admin").post(
        ic_urls.list,
        {"language": "en", "pdf": SimpleUploadedFile("x.pdf", PDF_BYTES + b"0")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "pdf" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_download_is_read_only(api, pdf_document, ic_urls, method):
    response = getattr(api("inst_admin"), method)(ic_urls.pdf("en"), {}, format="json")
    assert response.status_code == 405
    assert body_of(api("inst_admin").get(ic_urls.pdf("en"))) == PDF_BYTES


@pytest.mark.parametrize("size", [2, 12])
def test_document_list_with_pdfs_costs_fixed_queries(
    api, consent, ic_urls, size, django_assert_max_num_queries
):
    for index in range(size):
        ic_document_create(
            consent=consent,
            language=f"l{index}",
            pdf=SimpleUploadedFile("x.pdf", PDF_BYTES, content_type="application/pdf"),
        )
    client = api("member")
    with django_assert_max_num_queries(10):
        body = client.get(f"{ic_urls.list}?limit=20").json()
    assert body["count"] == size
    assert all(row["pdf"].endswith(f"-{row['language']}.pdf") for row in body["results"])
