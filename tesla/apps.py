from django.apps import AppConfig


class TeslaConfig(AppConfig):
    name = "tesla"
    verbose_name = "TeSLA core"

    def ready(self):
        from tesla import schema  # noqa: F401  (registers OpenAPI extensions)
