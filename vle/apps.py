from django.apps import AppConfig


class VleConfig(AppConfig):
    name = "vle"
    verbose_name = "VLEs, courses and activities"

    def ready(self):
        from vle import auth

        auth.register()
