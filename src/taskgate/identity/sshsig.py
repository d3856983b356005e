"""SSH signatures as git writes them (`gpg.format = ssh`), verified in process.

The format is OpenSSH's PROTOCOL.sshsig: an armored blob holding the public key, the
namespace (`git`), the hash algorithm (sha256 or sha512) and an SSH signature over

    "SSHSIG" || string(namespace) || string(reserved) || string(hash) || string(H(payload))

where the payload is the commit object without its `gpgsig` header. Parsing needs only
the standard library; `verify` imports `cryptography` the first time it is called, so
only a signed-mode policy pays for it. Public keys are loaded once per key blob.
"""

# No `from __future__ import annotations`: NamedTuple fields would be compiled ForwardRefs
# on the signed-mode hook path (see docs/architecture.md, "The hot path").

import base64
import binascii
import hashlib
from typing import Any, NamedTuple

ARMOR_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
ARMOR_END = b"-----END SSH SIGNATURE-----"
MAGIC = b"SSHSIG"
SIG_VERSION = 1
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
# Key types this verifier accepts, with the signature formats each may carry.
SIGNATURE_FORMATS = {
    "ssh-ed25519": ("ssh-ed25519",),
    "ssh-rsa": ("rsa-sha2-256", "rsa-sha2-512"),  # never SHA-1 "ssh-rsa" signatures
    "ecdsa-sha2-nistp256": ("ecdsa-sha2-nistp256",),
    "ecdsa-sha2-nistp384": ("ecdsa-sha2-nistp384",),
    "ecdsa-sha2-nistp521": ("ecdsa-sha2-nistp521",),
}
KEY_TYPES = frozenset(SIGNATURE_FORMATS)
_RSA_MIN_BITS = 1024  # OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE


class SignatureError(ValueError):
    """A signature that cannot be parsed or does not verify; the message says why."""


class NamespaceError(SignatureError):
    """A well-formed signature made for another namespace than git's."""


class Reader:
    """SSH wire format (RFC 4251): uint32, string, mpint."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def u32(self) -> int:
        end = self.pos + 4
        if end > len(self.data):
            raise SignatureError("truncated data")
        value = int.from_bytes(self.data[self.pos : end], "big")
        self.pos = end
        return value

    def string(self) -> bytes:
        data, pos = self.data, self.pos  # u32() inline: thousands of commits, 8 strings each
        if pos + 4 > len(data):
            raise SignatureError("truncated data")
        start = pos + 4
        end = start + int.from_bytes(data[pos:start], "big")
        if end > len(data):
            raise SignatureError("truncated data")
        self.pos = end
        return data[start:end]

    def text(self) -> str:
        return self.string().decode("ascii", "replace")

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise SignatureError("negative number in key or signature")
        return int.from_bytes(raw, "big")

    def done(self) -> bool:
        return self.pos == len(self.data)


def wire_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


class SshSig(NamedTuple):
    """A parsed SSHSIG blob."""

    public_key: bytes  # the signer's key, SSH wire blob
    namespace: str
    reserved: bytes
    hash_algorithm: str
    signature: bytes  # SSH signature blob: string(format) string(bytes)


# --- the commit object ------------------------------------------------------------


def split_commit(raw: bytes) -> tuple[bytes | None, bytes]:
    """(armored signature or None, signed payload) of a raw commit object.

    The payload is the object without its signature headers (`gpgsig`, `gpgsig-sha256`,
    and their continuation lines), exactly what git signed. Only the header is searched:
    a message that mentions "gpgsig" is payload.
    """
    end = raw.find(b"\n\n")
    header_end = len(raw) if end < 0 else end + 1
    start = 0 if raw.startswith(b"gpgsig") else raw.find(b"\ngpgsig", 0, header_end) + 1
    if start == 0 and not raw.startswith(b"gpgsig"):
        return None, raw
    kept: list[bytes] = [raw[:start]]
    signature: list[bytes] | None = None
    current: list[bytes] | None = None  # the signature header being read, if any
    while start < header_end:
        stop = raw.find(b"\n", start, header_end)
        stop = header_end if stop < 0 else stop + 1
        line = raw[start:stop]
        start = stop
        if line.startswith(b" ") and current is not None:
            current.append(line[1:])
            continue
        current = None
        name = line.split(b" ", 1)[0]
        if name in (b"gpgsig", b"gpgsig-sha256"):
            current = [line[len(name) + 1 :]]
            # The sha1 repository's signature is `gpgsig`; take it over `gpgsig-sha256`.
            if signature is None or name == b"gpgsig":
                signature = current
            continue
        kept.append(line)
    armored = b"".join(signature) if signature is not None else None
    return armored, b"".join(kept) + raw[header_end:]


class SigCheck(NamedTuple):
    """What a commit's signature says on its own, before anyone looks the key up."""

    key: bytes | None  # the signer's key blob (None: unsigned or unreadable)
    problem: str | None  # None: the signature verifies
    kind: str = ""  # "unsigned", "unreadable", "namespace", "invalid" when there is a problem


def check_commit_signature(raw: bytes, namespace: str = "git") -> SigCheck:
    """Verify a raw commit object's own signature (the key is looked up elsewhere)."""
    armored, payload = split_commit(raw)
    if armored is None:
        return SigCheck(None, "the commit is not signed", "unsigned")
    try:
        sig = parse_armored(armored)
    except SignatureError as exc:
        return SigCheck(None, str(exc), "unreadable")
    try:
        verify(sig, payload, namespace)
    except NamespaceError as exc:
        return SigCheck(sig.public_key, str(exc), "namespace")
    except SignatureError as exc:
        return SigCheck(sig.public_key, str(exc), "invalid")
    return SigCheck(sig.public_key, None)


def committer_time(raw: bytes) -> int | None:
    """The committer timestamp of a raw commit object (seconds since the epoch)."""
    end = raw.find(b"\n\n")
    for line in raw[: len(raw) if end < 0 else end].split(b"\n"):
        if line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            if len(parts) == 3 and parts[1].isdigit():
                return int(parts[1])
    return None


# --- the signature ------------------------------------------------------------------


def dearmor(armored: bytes) -> bytes:
    """The SSHSIG blob inside `-----BEGIN SSH SIGNATURE-----` armor."""
    text = armored.strip()
    if not text.startswith(ARMOR_BEGIN):
        if text.startswith(b"-----BEGIN PGP"):
            raise SignatureError("an OpenPGP signature, not an SSH signature")
        if text.startswith(b"-----BEGIN SIGNED MESSAGE"):
            raise SignatureError("an X.509 (gpgsm) signature, not an SSH signature")
        raise SignatureError("not an SSH signature (no BEGIN SSH SIGNATURE armor)")
    if not text.endswith(ARMOR_END):
        raise SignatureError("SSH signature armor is not closed")
    body = b"".join(text[len(ARMOR_BEGIN) : -len(ARMOR_END)].split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("SSH signature armor holds invalid base64") from exc


def parse_sshsig(blob: bytes) -> SshSig:
    if not blob.startswith(MAGIC):
        raise SignatureError("not an SSHSIG blob")
    r = Reader(blob)
    r.pos = len(MAGIC)
    version = r.u32()
    if version != SIG_VERSION:
        raise SignatureError(f"unsupported SSHSIG version {version}")
    sig = SshSig(r.string(), r.text(), r.string(), r.text(), r.string())
    if not r.done():
        raise SignatureError("trailing data after the SSHSIG blob")
    return sig


def parse_armored(armored: bytes) -> SshSig:
    return parse_sshsig(dearmor(armored))


def key_type(key_blob: bytes) -> str:
    """The type name at the start of a public key blob ('' when it cannot be read)."""
    try:
        return Reader(key_blob).text()
    except SignatureError:
        return ""


_FINGERPRINTS: dict[bytes, str] = {}


def fingerprint(key_blob: bytes) -> str:
    """`SHA256:…` as `ssh-keygen -l` prints it."""
    found = _FINGERPRINTS.get(key_blob)
    if found is None:
        digest = base64.b64encode(hashlib.sha256(key_blob).digest()).rstrip(b"=")
        found = _FINGERPRINTS[key_blob] = "SHA256:" + digest.decode()
    return found


def signed_data(sig: SshSig, payload: bytes) -> bytes:
    """What the SSH signature is over, for `payload` under `sig`'s namespace and hash."""
    digest = HASHES[sig.hash_algorithm](payload).digest()
    return (
        MAGIC
        + wire_string(sig.namespace.encode())
        + wire_string(sig.reserved)
        + wire_string(sig.hash_algorithm.encode())
        + wire_string(digest)
    )


def verify(sig: SshSig, payload: bytes, namespace: str = "git") -> None:
    """Raise SignatureError unless `sig` is a valid signature of `payload` in `namespace`."""
    if sig.namespace != namespace:
        raise NamespaceError(f"signed for the namespace '{sig.namespace}', not '{namespace}'")
    if sig.hash_algorithm not in HASHES:
        raise SignatureError(f"unsupported hash algorithm '{sig.hash_algorithm}'")
    ktype = key_type(sig.public_key)
    if ktype not in KEY_TYPES:
        raise SignatureError(f"unsupported key type '{ktype or '?'}'")
    r = Reader(sig.signature)
    fmt = r.text()
    raw_sig = r.string()
    if fmt not in SIGNATURE_FORMATS[ktype]:
        raise SignatureError(f"a '{fmt}' signature cannot come from a {ktype} key")
    key = _public_key(sig.public_key)  # first: it imports cryptography
    data = signed_data(sig, payload)
    try:
        if ktype == "ssh-ed25519":
            key.verify(raw_sig, data)  # the common case, without a call more
        else:
            _check(key, ktype, fmt, raw_sig, data)
    except _INVALID[0] as exc:
        raise SignatureError("the signature does not match the signed content") from exc


# --- cryptography ----------------------------------------------------------------------

_KEYS: dict[bytes, Any] = {}
_CURVES = {"nistp256": "SECP256R1", "nistp384": "SECP384R1", "nistp521": "SECP521R1"}


# cryptography's InvalidSignature, once a key has been loaded (it is imported lazily).
_INVALID: list[type[Exception]] = [SignatureError]


def _public_key(blob: bytes) -> Any:
    """The `cryptography` key object for an SSH key blob (cached by blob)."""
    key = _KEYS.get(blob)
    if key is None:
        from cryptography.exceptions import InvalidSignature

        _INVALID[0] = InvalidSignature
        key = _KEYS[blob] = _load_key(blob)
    return key


def _load_key(blob: bytes) -> Any:
    r = Reader(blob)
    ktype = r.text()
    try:
        if ktype == "ssh-ed25519":
            from cryptography.hazmat.primitives.asymmetric import ed25519

            raw = r.string()
            if not r.done() or len(raw) != 32:
                raise SignatureError("malformed ed25519 key")
            return ed25519.Ed25519PublicKey.from_public_bytes(raw)
        if ktype == "ssh-rsa":
            from cryptography.hazmat.primitives.asymmetric import rsa

            e, n = r.mpint(), r.mpint()
            if not r.done():
                raise SignatureError("malformed RSA key")
            if n.bit_length() < _RSA_MIN_BITS:
                raise SignatureError(f"RSA key of {n.bit_length()} bits is too small")
            return rsa.RSAPublicNumbers(e, n).public_key()
        from cryptography.hazmat.primitives.asymmetric import ec

        curve_name = r.text()
        point = r.string()
        if not r.done() or ktype != f"ecdsa-sha2-{curve_name}" or curve_name not in _CURVES:
            raise SignatureError("malformed ECDSA key")
        curve = getattr(ec, _CURVES[curve_name])()
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    except ValueError as exc:  # cryptography's word for a key that is not a key
        if isinstance(exc, SignatureError):
            raise
        raise SignatureError(f"unusable {ktype} public key: {exc}") from exc


def _check(key: Any, ktype: str, fmt: str, raw_sig: bytes, data: bytes) -> None:
    """RSA and ECDSA signatures (ed25519 is checked inline by `verify`)."""
    from cryptography.hazmat.primitives import hashes

    if ktype == "ssh-rsa":
        from cryptography.hazmat.primitives.asymmetric import padding

        rsa_hash: hashes.HashAlgorithm = (
            hashes.SHA256() if fmt == "rsa-sha2-256" else hashes.SHA512()
        )
        key.verify(raw_sig, data, padding.PKCS1v15(), rsa_hash)
        return
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    inner = Reader(raw_sig)
    r_value, s_value = inner.mpint(), inner.mpint()
    if not inner.done():
        raise SignatureError("malformed ECDSA signature")
    bits = ktype.rsplit("nistp", 1)[1]
    algorithm = {"256": hashes.SHA256(), "384": hashes.SHA384()}.get(bits, hashes.SHA512())
    key.verify(encode_dss_signature(r_value, s_value), data, ec.ECDSA(algorithm))


# --- key files (the local side: which key git is configured to sign with) -------------

_OPENSSH_PRIVATE = b"-----BEGIN OPENSSH PRIVATE KEY-----"
_OPENSSH_PRIVATE_END = b"-----END OPENSSH PRIVATE KEY-----"


def public_key_line(text: str) -> bytes | None:
    """The key blob of an OpenSSH public key line (`type base64 [comment]`), else None."""
    parts = text.strip().split()
    if len(parts) < 2:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    return blob if key_type(blob) == parts[0] else None


def public_key_of_file(data: bytes) -> bytes | None:
    """The public key blob of a key file: an OpenSSH public key line, or an OpenSSH
    private key (its public half is stored unencrypted, so no passphrase is needed)."""
    text = data.strip()
    if text.startswith(_OPENSSH_PRIVATE):
        body = b"".join(text[len(_OPENSSH_PRIVATE) :].split(_OPENSSH_PRIVATE_END)[0].split())
        try:
            blob = base64.b64decode(body, validate=True)
            magic = b"openssh-key-v1\0"
            if not blob.startswith(magic):
                return None
            r = Reader(blob)
            r.pos = len(magic)
            r.string()  # cipher
            r.string()  # kdf
            r.string()  # kdf options
            if r.u32() < 1:
                return None
            return r.string()
        except (binascii.Error, ValueError):
            return None
    try:
        return public_key_line(text.decode("ascii"))
    except UnicodeDecodeError:
        return None
