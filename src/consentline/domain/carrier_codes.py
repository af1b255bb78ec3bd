"""Carrier error codes that mean the contact opted out at the carrier (SPEC §7). Pure.

A send refused with one of them (the adapters' classification) and a delivery failure
reported with one of them later (the webhooks) both become an opt-out mirrored from the
carrier, recorded as ``<carrier>:<code>``.
"""

from __future__ import annotations

TWILIO_OPTED_OUT = 21610
"""Twilio's "Attempt to send to unsubscribed recipient": the contact sent STOP."""
WHATSAPP_STOPPED_MARKETING = 131050
"""WhatsApp: the user stopped marketing messages from this business."""
