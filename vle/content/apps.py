from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "vle.content"
    label = "content"
    verbose_name = "Course Service: content packages"

    def ready(self):
        # Register the OpenAPI auth extension, and the tasks with this process's Celery app
        # (without a broker the web process itself runs them after commit).
        from vle.content import schema, tasks  # noqa: F401
