"""N's settings: the server's own, with N's URLs (benchmarks/naive_urls.py)."""

from tesla.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.naive_urls"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
