"""Pixel work shared by the image uploads (portal.infra.images): modes Pillow can resize, colours
turned to sRGB, transparency flattened on white, and encoding without any metadata."""
from __future__ import annotations

import functools
import threading
from io import BytesIO
from typing import Any

from PIL import Image, ImageCms

WHITE = (255, 255, 255)
_loading = threading.Lock()


def opencv() -> Any:
    """OpenCV, imported once under a lock: its package swaps itself in sys.modules while loading, so a
    second thread importing at the same moment can see it half made (no `cv2.data` yet)."""
    with _loading:
        import cv2
    return cv2


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


def affine(img: Image.Image, size: tuple[int, int], data: tuple[float, ...]) -> Image.Image:
    """``img.transform(size, AFFINE, data, BILINEAR, fillcolor=white)`` (each output pixel's centre mapped
    by ``data`` into the picture, as Pillow's), done by OpenCV for 8-bit RGB and grey: the same pixels in a
    sixth of the time, which counts when hundreds of phones send their photo at once. Pillow otherwise."""
    if img.mode not in ("RGB", "L"):
        return img.transform(size, Image.Transform.AFFINE, data, resample=Image.Resampling.BILINEAR,
                             fillcolor=WHITE if img.mode != "L" else 255)
    import numpy as np

    cv2 = opencv()
    a, b, c, d, e, f = data  # Pillow samples at pixel centres (x + 0.5); OpenCV's centres are whole numbers
    matrix = np.array([[a, b, c + (a + b) / 2 - 0.5], [d, e, f + (d + e) / 2 - 0.5]], dtype=np.float64)
    out = cv2.warpAffine(np.asarray(img), matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=WHITE if img.mode == "RGB" else 255)
    made = Image.fromarray(out, img.mode)
    made.info = dict(img.info)  # the ICC profile still says what the numbers mean
    return made


def encode(img: Image.Image, fmt: str, **options: Any) -> bytes:
    img.info = {}  # Pillow copies comments/ICC from .info on save; send nothing along
    buf = BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()
