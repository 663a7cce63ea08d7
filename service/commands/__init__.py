"""Typer sub-commands, registered by `service.cli`."""
