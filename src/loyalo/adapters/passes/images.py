"""Plain PNG images in the card's colour, for a pass without artwork of its own.

Apple Wallet refuses a pass without an icon; a small image in the background
colour keeps a pass valid until the operator ships real artwork.
"""

from __future__ import annotations

import struct
import zlib

# Points (not pixels) of each image Wallet looks for, and its @2x size.
IMAGE_SIZES = {"icon": (29, 29), "logo": (160, 50)}


def solid_png(width: int, height: int, hex_colour: str) -> bytes:
    rgb = bytes(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    row = b"\x00" + rgb * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * height, 9))
        + _chunk(b"IEND", b"")
    )


def default_images(hex_colour: str) -> dict[str, bytes]:
    """``icon.png``, ``icon@2x.png``, ``logo.png``, ``logo@2x.png`` in one colour."""
    images = {}
    for name, (width, height) in IMAGE_SIZES.items():
        images[f"{name}.png"] = solid_png(width, height, hex_colour)
        images[f"{name}@2x.png"] = solid_png(width * 2, height * 2, hex_colour)
    return images


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
