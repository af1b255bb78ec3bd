"""Verifying a consent dossier offline: the signature, the files, every chain proof.

A dossier is a ZIP with ``manifest.json`` (every record of each conversation as its chain
hashed it), ``manifest.sig`` (the organization's Ed25519 signature over the manifest's exact
bytes) and ``dossier.html`` (the human-readable view, whose SHA-256 the manifest names).
Verification needs no database, only the file and the organization's public key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consentline.domain import archive_chain as chain

FORMAT = "consentline-dossier/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
HTML = "dossier.html"


def key_id(public_key: bytes) -> str:
    """A short fingerprint people can compare over the phone."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def read_public_key(text: str) -> bytes:
    """The raw 32-byte key from its base64 form (as the API publishes it)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ValueError("the public key is not base64") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return raw


@dataclass(frozen=True)
class CheckResult:
    problems: list[str]
    conversations: int = 0
    records: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems


# What the ZIP and deflate readers raise for a damaged file: besides BadZipFile, a changed
# byte can flag an entry as encrypted (RuntimeError), name an unknown compression method
# (NotImplementedError) or break the deflate stream (zlib.error).
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def verify_dossier(data: bytes, public_key: bytes) -> CheckResult:
    """Every reason the dossier cannot be trusted; none when it is intact and signed by
    ``public_key``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            missing = [n for n in (MANIFEST, SIGNATURE, HTML) if n not in names]
            if missing:
                return CheckResult([f"the dossier lacks {', '.join(missing)}"])
            manifest_bytes = archive.read(MANIFEST)
            signature_text = archive.read(SIGNATURE)
            html = archive.read(HTML)
    except _UNREADABLE as error:
        return CheckResult([f"the file is not an intact ZIP ({error})"])
    try:
        manifest: dict[str, Any] = json.loads(manifest_bytes)
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except ValueError:
        return CheckResult(["the manifest or its signature cannot be read"])
    signer = str(manifest.get("key_id"))
    if signer != key_id(public_key):
        return CheckResult(
            [
                f"signed by another key (key id {signer}), not the organization's "
                f"(key id {key_id(public_key)})"
            ]
        )
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, manifest_bytes)
    except InvalidSignature:
        return CheckResult(["the signature does not match: the manifest was changed"])
    problems: list[str] = []
    if manifest.get("format") != FORMAT:
        problems.append(f"unknown dossier format {manifest.get('format')!r}")
    if hashlib.sha256(html).hexdigest() != manifest.get("files", {}).get(HTML):
        problems.append(f"{HTML} differs from the one the manifest signed")
    records = 0
    conversations = manifest.get("conversations", [])
    for conversation in conversations:
        records += len(conversation["records"])
        problem = check_chain(conversation)
        if problem is not None:
            problems.append(problem)
    return CheckResult(problems, len(conversations), records)


def check_chain(conversation: dict[str, Any]) -> str | None:
    """Recompute one conversation's chain from its records: the proof of each one."""
    check = chain.ChainCheck(
        conversation["identity"],
        base_seq=int(conversation.get("base_seq") or 0),
        base_hash=conversation.get("base_hash"),
    )
    for record in conversation["records"]:
        check.add(chain.Stored(record["table"], record["seq"], record["hash"], record["fields"]))
    found = check.finish(int(conversation["chain_length"]), conversation["chain_head"])
    return str(found) if found else None
