"""The company's colour on screen, with WCAG contrast computed rather than hoped for.

A company picks any colour. Buttons and the navigation bar use it as a background, links and focus
rings use it on white. `brand_palette(colour)` works out what is readable on each: white or dark
text on the colour (whichever contrasts more, white when both pass), and for links a version of the
colour darkened until it reaches 4.5:1 on white and on the grey page background (WCAG 1.4.3). `theme_css` writes those as CSS custom
properties, served as a small stylesheet (`/theme/<rrggbb>.css`: the public pages' policy allows no
inline styles) that static/css/design.css reads.
"""
from __future__ import annotations

import re

from flask import Flask, Response, abort, url_for

DEFAULT_BRAND = "#1f4e79"
WHITE, INK = "#ffffff", "#1d1d1f"
CANVAS = "#f4f6f8"  # the page background (design.css --canvas); text on it is also read on white
HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, normal text
UI_CONTRAST = 3.0  # WCAG 1.4.11, focus rings and borders against white


def parse(colour: str | None) -> tuple[int, int, int] | None:
    match = HEX.match((colour or "").strip())
    if not match:
        return None
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def normalised(colour: str | None) -> str:
    """The colour as #rrggbb (lower case), or the default brand colour for anything unreadable."""
    rgb = parse(colour)
    return to_hex(rgb) if rgb else DEFAULT_BRAND


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = parse(colour) or (0, 0, 0)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """White text where it reaches 4.5:1 on the colour, else dark text."""
    if contrast_ratio(background, WHITE) >= TEXT_CONTRAST:
        return WHITE
    return INK if contrast_ratio(background, INK) >= contrast_ratio(background, WHITE) else WHITE


def darkened_until(colour: str, minimum: float, against: str = WHITE) -> str:
    """The colour, darkened in small steps (keeping its hue) until it reaches `minimum` contrast
    against `against`; the colour itself when it already does."""
    rgb = parse(colour) or parse(DEFAULT_BRAND)
    current = to_hex(rgb)
    factor = 1.0
    while contrast_ratio(current, against) < minimum and factor > 0:
        factor = round(factor - 0.02, 2)
        current = to_hex(tuple(c * factor for c in rgb))
    return current


def mix(colour: str, other: str, weight: float) -> str:
    """`weight` of `colour` and the rest of `other` (a tint towards white, a shade towards black)."""
    a, b = parse(colour), parse(other)
    return to_hex(tuple(x * weight + y * (1 - weight) for x, y in zip(a, b, strict=True)))


def surface(colour: str) -> tuple[str, str]:
    """A background close to the colour and the text to write on it, 4.5:1 at least: the colour with
    white or dark text; a mid tone that reaches 4.5:1 with neither (pure red) is darkened for white."""
    on = text_on(colour)
    if contrast_ratio(colour, on) >= TEXT_CONTRAST:
        return colour, on
    return darkened_until(colour, TEXT_CONTRAST), WHITE


def brand_palette(colour: str | None) -> dict[str, str]:
    """`brand` (the company colour as a background, adjusted only if no text could be read on it),
    `brand-text` (the text on it), `brand-strong` (hover), `brand-link` (links on white),
    `brand-focus` (focus rings, 3:1 on white), `brand-soft` / `brand-soft-text` (a tint with its text)."""
    brand, on_brand = surface(normalised(colour))
    link = darkened_until(brand, TEXT_CONTRAST, CANVAS)
    return {
        "brand": brand,
        "brand-text": on_brand,
        # Darker when pressed/hovered; stays readable with the same text colour.
        "brand-strong": darkened_until(mix(brand, "#000000", 0.88), TEXT_CONTRAST, on_brand)
        if on_brand == WHITE else mix(brand, "#000000", 0.92),
        "brand-link": link,
        "brand-focus": darkened_until(brand, UI_CONTRAST, CANVAS),
        "brand-soft": mix(brand, WHITE, 0.12),
        "brand-soft-text": darkened_until(link, TEXT_CONTRAST, mix(brand, WHITE, 0.12)),
    }


def theme_css(colour: str | None) -> str:
    palette = brand_palette(colour)
    return ":root{" + "".join(f"--{name}:{value};" for name, value in palette.items()) + "}\n"


def theme_url(colour: str | None) -> str:
    return url_for("theme_css", colour=normalised(colour)[1:])


def init_theme(app: Flask) -> None:
    """`/theme/<rrggbb>.css`: the palette of one colour (no company data in it, cached for a year)."""

    def serve(colour: str):
        if not HEX.match(colour):
            abort(404)
        response = Response(theme_css(colour), mimetype="text/css")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    app.add_url_rule("/theme/<colour>.css", "theme_css", serve)
    app.jinja_env.globals["theme_url"] = theme_url
    app.jinja_env.globals["brand_palette"] = brand_palette  # emails: inline colours, same contrast
