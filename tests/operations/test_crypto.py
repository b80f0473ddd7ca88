"""operations.crypto: the chunked AES-GCM stream that encrypts backup archives. Pure functions, no database."""

import base64
import io
import os

import pytest

from operations import crypto

SECRET = bytes(range(32))


def encrypt(data: bytes, secret: bytes = SECRET) -> bytes:
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, secret)
    for i in range(0, len(data), 10_000):  # written in pieces, as tarfile does
        writer.write(data[i : i + 10_000])
    writer.close()
    return out.getvalue()


def decrypt(blob: bytes, secret: bytes = SECRET, piece: int = 4096) -> bytes:
    reader = crypto.DecryptingReader(io.BytesIO(blob), secret)
    parts = []
    while chunk := reader.read(piece):
        parts.append(chunk)
    return b"".join(parts)


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, 3 * crypto.CHUNK + 17])
def test_it_round_trips_any_length(size):
    data = os.urandom(size)
    blob = encrypt(data)
    assert blob.startswith(crypto.MAGIC) and len(blob) == crypto.HEADER_BYTES + len(data) + crypto.TAG * max(1, -(-size // crypto.CHUNK))
    assert decrypt(blob) == data


def test_two_archives_of_the_same_data_share_no_ciphertext():
    data = b"ballots" * 1000
    assert encrypt(data)[crypto.HEADER_BYTES :] != encrypt(data)[crypto.HEADER_BYTES :]


def test_a_wrong_key_is_named_before_any_chunk_is_tried():
    blob = encrypt(b"x" * 100)
    with pytest.raises(crypto.DecryptionError, match="密钥不对"):
        crypto.DecryptingReader(io.BytesIO(blob), bytes(32))


def swap_first_chunks(blob: bytes) -> bytes:
    head, size = crypto.HEADER_BYTES, crypto.CHUNK + crypto.TAG
    first, second = blob[head : head + size], blob[head + size : head + 2 * size]
    return blob[:head] + second + first + blob[head + 2 * size :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: crypto.HEADER_BYTES + crypto.CHUNK + crypto.TAG],  # cut at a chunk boundary: last chunk gone
        lambda b: b[:-1],  # cut inside the last chunk
        swap_first_chunks,
        lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:],  # one bit
        lambda b: b[: len(crypto.MAGIC) + crypto.KEY_ID_BYTES] + bytes(crypto.SALT_BYTES) + b[crypto.HEADER_BYTES :],  # salt
    ],
    ids=["truncated at a chunk", "truncated inside a chunk", "chunks reordered", "bit flipped", "header changed"],
)
def test_any_damage_is_refused(damage):
    blob = encrypt(os.urandom(3 * crypto.CHUNK + 5))
    with pytest.raises(crypto.DecryptionError, match="已损坏、被改动或不完整"):
        decrypt(damage(blob))


def test_the_key_file_holds_32_bytes_in_base64(tmp_path):
    good = tmp_path / "good.key"
    good.write_text(base64.b64encode(SECRET).decode() + "\n")
    assert crypto.key_load(good) == SECRET
    short = tmp_path / "short.key"
    short.write_text(base64.b64encode(b"too short").decode())
    with pytest.raises(ValueError, match="32 字节"):
        crypto.key_load(short)
    with pytest.raises(ValueError, match="密钥文件不存在"):
        crypto.key_load(tmp_path / "missing.key")
