#!/usr/bin/env python
"""Django's command-line utility for administrative tasks (`tesla-server` once installed)."""

from tesla.cli import main

if __name__ == "__main__":
    main()
