"""Pixel work shared by the image uploads (portal.infra.images): modes Pillow can resize, colours
turned to sRGB, transparency flattened on white, and encoding without any metadata."""
from __future__ import annotations

import functools
from io import BytesIO
from typing import Any

from PIL import Image, ImageCms

WHITE = (255, 255, 255)


def resizable(img: Image.Image) -> Image.Image:
    """Bring odd modes (palette, 1-bit, 16-bit grey) into a mode LANCZOS can resize."""
    if img.mode.startswith("I;16"):
        img = img.convert("I")
    if img.mode in ("I", "F"):
        return img.point(lambda v: v * (1 / 257)).convert("L")
    if "transparency" in img.info:  # colour-keyed PNGs: make the key a real alpha channel
        return img.convert("RGBA")
    if img.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return img
    return img.convert("RGBA" if "A" in img.mode else "RGB")


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(img: Image.Image) -> Image.Image:
    """Convert embedded ICC colours (e.g. iPhone Display P3, print CMYK) to sRGB before the ICC is dropped."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        out = ImageCms.profileToProfile(
            img, ImageCms.ImageCmsProfile(BytesIO(icc)), _srgb(), outputMode="RGBA" if img.mode == "RGBA" else "RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img  # unusable profile: keep the numbers as they are
    return out if out is not None else img


def on_white(img: Image.Image) -> Image.Image:
    """Flatten transparency onto white (cards are printed on white stock) and return RGB."""
    if "A" in img.mode or "transparency" in img.info:
        canvas = Image.new("RGBA", img.size, WHITE + (255,))
        canvas.alpha_composite(img.convert("RGBA"))
        return canvas.convert("RGB")
    return img.convert("RGB")


def encode(img: Image.Image, fmt: str, **options: Any) -> bytes:
    img.info = {}  # Pillow copies comments/ICC from .info on save; send nothing along
    buf = BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()
