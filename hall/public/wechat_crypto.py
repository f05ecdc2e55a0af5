"""The Official Account's message security, as WeChat specifies it (pure: no I/O, no Flask).

- `signature(token, timestamp, nonce[, encrypt])`: SHA-1 of the sorted strings joined. Without
  `encrypt` it is the URL's `signature` (verification, plaintext mode); with it, `msg_signature`.
- Safe mode: the EncodingAESKey (43 characters) is base64 of a 32-byte AES-256 key; the IV is the
  key's first 16 bytes; CBC; PKCS#7 padded to 32-byte blocks (not AES's 16). The plaintext is
  16 random bytes, the message length (4 bytes, big-endian), the message, the AppID.
"""
import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(ValueError):
    """A message that does not decrypt, or was sealed for another AppID."""


def signature(token, timestamp, nonce, encrypt=None):
    parts = [token, timestamp, nonce] + ([encrypt] if encrypt is not None else [])
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def signature_ok(expected, token, timestamp, nonce, encrypt=None):
    if not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(expected.lower(), signature(token, timestamp, nonce, encrypt))


def aes_key(encoding_aes_key):
    """The 32-byte key of a 43-character EncodingAESKey; ValueError for anything else."""
    if not isinstance(encoding_aes_key, str) or len(encoding_aes_key) != 43:
        raise ValueError("an EncodingAESKey is 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as e:
        raise ValueError("an EncodingAESKey is base64") from e
    if len(key) != 32:
        raise ValueError("an EncodingAESKey decodes to 32 bytes")
    return key


def pad(data):
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def unpad(data):
    if not data:
        raise CryptoError("empty")
    n = data[-1]
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


def encrypt(key, message, appid, random16=None):
    """Base64 of the sealed message (what goes in <Encrypt>)."""
    body = message.encode() if isinstance(message, str) else message
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + appid.encode()
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(pad(plain)) + enc.finalize()).decode()


def decrypt(key, encrypted, appid):
    """The message sealed in `encrypted` (base64); CryptoError when it is not ours."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError, TypeError) as e:
        raise CryptoError("not base64") from e
    if not raw or len(raw) % 16:
        raise CryptoError("not whole AES blocks")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = unpad(dec.update(raw) + dec.finalize())
    if len(plain) < 20:
        raise CryptoError("too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise CryptoError("bad length")
    message, sender = plain[20:20 + length], plain[20 + length:]
    if appid is not None and not hmac.compare_digest(sender, appid.encode()):
        raise CryptoError("sealed for another AppID")
    try:
        return message.decode()
    except UnicodeDecodeError as e:
        raise CryptoError("not UTF-8") from e
