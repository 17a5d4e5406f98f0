"""The version of the JSON output of every command (docs/schemas/*.schema.json)."""

SCHEMA_VERSION = 1
