"""Articles in, typed records out: schema, loaders, outlet registry, language id, passages."""
