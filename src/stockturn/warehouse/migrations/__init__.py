"""Ordered, named schema migrations: `NNN_name.sql`, applied in number order, recorded in schema_migration."""
