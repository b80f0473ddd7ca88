"""Encryption of backup archives: AES-256-GCM in 64 KiB chunks (the STREAM construction, as `age` uses).

Why this and not Fernet: Fernet encrypts one message held whole in memory, and a database dump can be
gigabytes. Here the archive is encrypted as it is written and decrypted as it is read, 64 KiB at a time, and
every chunk is authenticated on its own: a flipped bit, a chunk moved, dropped or repeated, or a file cut
short is refused when read, never restored. Each chunk's nonce is its number (11 bytes) and a flag saying
whether it is the last, so reordering fails and so does truncation (the chunk before the cut was not
sealed as the last). The key that encrypts is derived per archive with HKDF-SHA256 from the key file's
secret and 32 random bytes in the header, so nonces never repeat across archives; the header itself is
the associated data of every chunk. All primitives come from `cryptography` (pyca), nothing hand-rolled
below the construction.

File layout: MAGIC (20 bytes) · key id (8) · salt (32) · chunks, each ciphertext + 16-byte tag. The key id
is derived from the secret (not from the archive), so a wrong key file is named as such before any chunk
is tried. The key file holds 32 random bytes in base64 (`openssl rand -base64 32`).
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

MAGIC = b"branchlife-backup/1\n"
KEY_ID_BYTES = 8
SALT_BYTES = 32
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + SALT_BYTES
CHUNK = 64 * 1024
TAG = 16
MAX_CHUNKS = 2**88  # the 11-byte counter


class DecryptionError(Exception):
    """The archive cannot be decrypted: wrong key, damaged or cut short. The message is for the operator."""


def key_load(path: str | os.PathLike) -> bytes:
    """The 32-byte secret in a key file (base64). Raises ValueError with a message for the operator."""
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ValueError(_("密钥文件不存在：%(path)s") % {"path": path}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(_("无法读取密钥文件 %(path)s：%(error)s") % {"path": path, "error": exc}) from None
    try:
        secret = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != 32:
        raise ValueError(
            _("密钥文件 %(path)s 应为 32 字节随机数的 base64 编码（可用 openssl rand -base64 32 生成）。") % {"path": path}
        )
    return secret


def _hkdf(secret: bytes, *, salt: bytes | None, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(secret)


def key_id(secret: bytes) -> bytes:
    return _hkdf(secret, salt=None, info=b"branchlife-backup key id", length=KEY_ID_BYTES)


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _nonce(counter: int, last: bool) -> bytes:
    if counter >= MAX_CHUNKS:
        raise OverflowError("archive too large for one key")
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written reaches `raw` encrypted. close() seals the last chunk."""

    def __init__(self, raw: BinaryIO, secret: bytes):
        salt = os.urandom(SALT_BYTES)
        self._header = MAGIC + key_id(secret) + salt
        self._aead = AESGCM(_hkdf(secret, salt=salt, info=b"branchlife-backup payload", length=32))
        self._raw = raw
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        raw.write(self._header)

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk is sealed differently, and only close() knows which it is.
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        self._raw.write(self._aead.encrypt(_nonce(self._counter, last), chunk, self._header))
        self._counter += 1

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True


class DecryptingReader:
    """A read-only file object over an encrypted archive; raises DecryptionError on anything wrong."""

    def __init__(self, raw: BinaryIO, secret: bytes):
        header = raw.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not is_encrypted(header):
            raise DecryptionError(_("这不是加密的 Branchlife 备份文件。"))
        stored_id = header[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]
        if stored_id != key_id(secret):
            raise DecryptionError(
                _("密钥不对：该备份是用指纹为 %(stored)s 的密钥加密的，所给密钥文件的指纹是 %(given)s。")
                % {"stored": stored_id.hex(), "given": key_id(secret).hex()}
            )
        salt = header[len(MAGIC) + KEY_ID_BYTES :]
        self._header = header
        self._aead = AESGCM(_hkdf(secret, salt=salt, info=b"branchlife-backup payload", length=32))
        self._raw = raw
        self._counter = 0
        self._pending = raw.read(CHUNK + TAG)
        self._plain = bytearray()
        self._done = False

    def _next_chunk(self) -> None:
        current, self._pending = self._pending, self._raw.read(CHUNK + TAG)
        last = not self._pending
        try:
            self._plain += self._aead.decrypt(_nonce(self._counter, last), current, self._header)
        except InvalidTag:
            raise DecryptionError(_("备份文件已损坏、被改动或不完整（解密校验失败），不能使用。")) from None
        self._counter += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._plain)
        out = bytes(self._plain[:size])
        del self._plain[:size]
        return out
