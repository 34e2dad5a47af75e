"""``python -m shopcoach`` runs the CLI."""

from shopcoach.cli import main

main()
