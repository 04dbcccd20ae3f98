"""`tesla-server`: Django's management commands for an installed server (`pip install .`),
where the checkout's `manage.py` is not at hand. `tesla-server migrate`, `tesla-server check`,
`tesla-server create_institution ...` work like `python manage.py ...`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
