"""Drawing a card front at 300 dpi on the ID-1 format (85.60 x 53.98 mm = 1011 x 638 px)."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps

from portal.infra import storage

CARD_SIZE = (1011, 638)
_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")
DEFAULT_LAYOUT = {
    "photo": [40, 150, 300, 386],
    "logo": [40, 24, 354, 118],
    "fields": {"first_name": [380, 220, 56], "last_name": [380, 290, 56], "national_id": [380, 370, 40]},
}
INK = (20, 20, 20)


@lru_cache(maxsize=16)
def font_of_size(size: int):
    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)  # Pillow's own font: works on any machine


def _colour(value: str | None, default: str = "#ffffff"):
    try:
        return ImageColor.getrgb(value or default)
    except ValueError:
        return ImageColor.getrgb(default)


def _paste_fitted(canvas: Image.Image, data: bytes, box: list[int]) -> None:
    x, y, w, h = (int(v) for v in box)
    with Image.open(io.BytesIO(data)) as img:
        img = img.convert("RGBA")
        fitted = ImageOps.contain(img, (w, h), Image.Resampling.LANCZOS)
    offset = (x + (w - fitted.width) // 2, y + (h - fitted.height) // 2)
    canvas.paste(fitted, offset, fitted)


def _draw_name_in_box(draw: ImageDraw.ImageDraw, name: str, box: list[int]) -> None:
    """The company's name in the logo's frame, as large as fits (cards without a logo still say whose they are)."""
    x, y, w, h = (int(v) for v in box)
    text = " ".join(name.split())[:60]
    size = max(12, int(h * 0.6))
    font = font_of_size(size)
    while size > 12 and draw.textlength(text, font=font) > w:
        size -= 2
        font = font_of_size(size)
    draw.text((x, y + h // 2), text, fill=INK, font=font, anchor="lm")


def render_card(*, layout: dict | None, background: str | None, values: dict, photo_key: str | None,
                logo_key: str | None, test_page: bool = False, company_name: str = "",
                photo: bytes | None = None) -> bytes:
    """The card front as PNG bytes (300 dpi). A missing photo leaves its frame empty; without a logo the
    company's name is written in the logo's frame (a template without a "logo" key gets the default one).
    `photo` (decoded-safe image bytes) stands in for a stored photo: the live proof's photo not yet saved."""
    out = io.BytesIO()
    draw_card(layout=layout, background=background, values=values, photo_key=photo_key, logo_key=logo_key,
              test_page=test_page, company_name=company_name, photo=photo).save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def draw_card(*, layout: dict | None, background: str | None, values: dict, photo_key: str | None,
              logo_key: str | None, test_page: bool = False, company_name: str = "",
              photo: bytes | None = None) -> Image.Image:
    """The card front as an RGB image at 300 dpi (what `render_card` encodes for the printer)."""
    layout = layout or DEFAULT_LAYOUT
    canvas = Image.new("RGBA", CARD_SIZE, _colour(background) + (255,))
    draw = ImageDraw.Draw(canvas)
    if test_page:
        draw.rectangle([4, 4, CARD_SIZE[0] - 5, CARD_SIZE[1] - 5], outline=(0, 0, 0), width=4)
        draw.text((60, 280), "Cardwright test page 1011 x 638 px / 300 dpi", fill=(0, 0, 0), font=font_of_size(40))
    photo_box = layout.get("photo")
    if photo_box:
        if photo is not None:
            _paste_fitted(canvas, photo, photo_box)
        elif photo_key and storage.exists(photo_key):
            _paste_fitted(canvas, storage.load(photo_key), photo_box)
        else:
            x, y, w, h = photo_box
            draw.rectangle([x, y, x + w, y + h], outline=(180, 180, 180), width=3)
    logo_box = layout.get("logo", DEFAULT_LAYOUT["logo"])
    if logo_box and logo_key and storage.exists(logo_key):
        _paste_fitted(canvas, storage.load(logo_key), logo_box)
    elif logo_box and company_name.strip():
        _draw_name_in_box(draw, company_name, logo_box)
    for key, spec in (layout.get("fields") or {}).items():
        text = str(values.get(key) or "")
        if not text:
            continue
        x, y, size = (int(v) for v in spec[:3])
        draw.text((x, y), text[:60], fill=INK, font=font_of_size(size))
    return canvas.convert("RGB")
