"""The SMS Opt-In Report and consent evidence."""
