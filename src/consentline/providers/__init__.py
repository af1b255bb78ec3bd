"""Delivery: the outbox worker and the providers it hands messages to."""
