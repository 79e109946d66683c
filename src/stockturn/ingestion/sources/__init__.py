"""Built-in importers, one module per source (or per family of generic layouts)."""
