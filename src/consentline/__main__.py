"""``python -m consentline`` is the ``consentline`` command."""

from consentline.cli import app

app()
