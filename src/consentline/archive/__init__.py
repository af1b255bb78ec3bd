"""The tamper-evident archive: hash chains, checkpoints, verification, exports, retention."""
