"""WSGI entry point (gunicorn tesla.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")
application = get_wsgi_application()
