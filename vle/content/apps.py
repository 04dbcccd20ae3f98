from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "vle.content"
    label = "content"
    verbose_name = "Course Service: content packages"
