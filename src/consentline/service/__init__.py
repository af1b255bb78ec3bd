"""Use cases: receive and send messages, change settings, manage organizations."""
