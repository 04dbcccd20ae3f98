"""Stored files are personal data (learners' samples and documents, consent PDFs): no URL
serves MEDIA_ROOT, not even with DEBUG on, so a leaked storage key opens nothing."""

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_keys(world, pdf_document):
    """The storage keys of a verification payload and of a consent PDF."""
    keys = [world.request.data.name, pdf_document.pdf.name]
    assert keys[0].startswith(f"{world.learner.institution_user.institution_id}/requests/")
    assert all(
        document.storage.exists(key)
        for document, key in zip((world.request.data, pdf_document.pdf), keys, strict=True)
    )
    return keys


def media_path(settings, key: str) -> str:
    return "/" + settings.MEDIA_URL.strip("/") + "/" + key


def test_media_paths_do_not_resolve_even_with_debug(settings, stored_keys):
    settings.DEBUG = True
    for key in stored_keys:
        with pytest.raises(Resolver404):
            resolve(media_path(settings, key))


def test_the_root_urlconf_adds_no_media_route_when_loaded_with_debug(settings, stored_keys):
    """`settings.DEBUG = True` does not re-run the root urlconf, so load it again under DEBUG
    (which is when a `static(MEDIA_URL, ...)` route would be added) and resolve against it."""
    import tesla.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(tesla.urls)
        for key in stored_keys:
            with pytest.raises(Resolver404):
                resolve(media_path(settings, key), urlconf=module)
        # The API itself is still there.
        assert resolve("/api/v2/institution/", urlconf=module).url_name == "institution-list"
    finally:
        settings.DEBUG = False
        importlib.reload(tesla.urls)
        clear_url_caches()


@pytest.mark.parametrize("persona", ["anonymous", "global_admin", "inst_admin"])
def test_media_urls_are_404_for_everyone(api, settings, stored_keys, persona):
    settings.DEBUG = True
    client = api(persona)
    for key in stored_keys:
        assert client.get(media_path(settings, key)).status_code == 404
