"""CLI commands, one module per command; registered in `service.cli`."""
