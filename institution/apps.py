from django.apps import AppConfig


class InstitutionConfig(AppConfig):
    name = "institution"

    def ready(self):
        from institution import auth

        auth.register()
