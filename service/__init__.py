"""The faces of Parallax: CLI, HTTP API, reports, persistence, settings."""
