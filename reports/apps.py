from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Verification and reports"

    def ready(self):
        from reports import auth, evidence
        from reports.services import dispatch

        auth.register()
        dispatch.register()
        evidence.register()
