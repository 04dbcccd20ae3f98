from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Verification and reports"

    def ready(self):
        from reports import auth, evidence

        auth.register()
        evidence.register()
