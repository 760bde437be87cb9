#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    # .env may name the settings (DJANGO_SETTINGS_MODULE=themepark.settings.production on a server);
    # the environment still wins, and without either it is the demo's.
    import themepark.settings.env  # noqa: F401 - reads .env into os.environ

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "themepark.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
