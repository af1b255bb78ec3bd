"""The JSON HTTP API (SPEC §6)."""
