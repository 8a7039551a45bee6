"""``python -m portal.cli`` runs the ``wifidesa`` command (useful without an install)."""

from portal.cli import main

main(prog_name="wifidesa")
