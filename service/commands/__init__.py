"""CLI commands beyond the core ones, each a thin wrapper registered in `service.cli`."""
