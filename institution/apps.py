from django.apps import AppConfig


class InstitutionConfig(AppConfig):
    name = "institution"

    def ready(self):
        from institution import auth
        from institution.models import InformedConsentDocument
        from tesla.deletion import delete_files_with_rows

        auth.register()
        # A consent PDF goes with its document, also when an institution's deletion cascades.
        delete_files_with_rows(InformedConsentDocument, "pdf")
