"""The WSGI entry point for gunicorn: ``gunicorn portal.wsgi:app``.

Settings come from the environment; the secret key is read from (or generated into)
the data folder when WIFIDESA_SECRET_KEY is unset.
"""

from portal import create_app
from portal.config import Settings

app = create_app(Settings.from_env().resolve_secret_key())
