"""Portrait-like placeholder photos for the demo, drawn with Pillow (no real person, no network).

Each number gives a different, repeatable face: skin tone, hair colour and style, shirt, background,
the head a little off-centre, so a list of demo cards looks like a list of people.
"""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = (413, 531)  # the card photo's size (35 x 45 mm at 300 dpi)
SKIN = [(246, 215, 190), (236, 196, 164), (224, 172, 138), (198, 145, 108), (160, 110, 80), (120, 80, 58)]
HAIR = [(40, 30, 25), (85, 60, 40), (150, 110, 70), (215, 180, 120), (120, 120, 120), (60, 40, 30), (170, 80, 40)]
SHIRTS = [(44, 62, 90), (80, 110, 150), (120, 40, 50), (60, 100, 70), (200, 200, 205), (30, 30, 35), (150, 120, 90)]
BACKDROPS = [(214, 222, 230), (226, 226, 222), (205, 214, 226), (232, 228, 220), (210, 220, 214)]


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)


def portrait(number: int) -> bytes:
    """A head-and-shoulders placeholder portrait as JPEG bytes (413 x 531)."""
    rnd = random.Random(number * 7919 + 17)  # noqa: S311 - a repeatable drawing, not a secret
    w, h = SIZE
    skin, hair = rnd.choice(SKIN), rnd.choice(HAIR)
    shirt, backdrop = rnd.choice(SHIRTS), rnd.choice(BACKDROPS)
    img = Image.new("RGB", SIZE, backdrop)
    draw = ImageDraw.Draw(img)
    for y in range(0, h, 4):  # studio backdrop: lighter behind the head
        draw.rectangle([0, y, w, y + 3], fill=_shade(backdrop, 1.04 - 0.12 * y / h))
    cx = w // 2 + rnd.randint(-12, 12)
    head_w, head_h = rnd.randint(150, 172), rnd.randint(196, 218)
    top = rnd.randint(92, 116)
    long_hair = rnd.random() < 0.45
    if long_hair:  # hair that falls behind the shoulders
        draw.rounded_rectangle([cx - head_w // 2 - 22, top - 10, cx + head_w // 2 + 22, top + head_h + 90],
                               radius=70, fill=_shade(hair, 0.9))
    # shoulders and shirt, with a collar
    draw.ellipse([cx - 200, top + head_h + 40, cx + 200, top + head_h + 400], fill=shirt)
    draw.rectangle([cx - 34, top + head_h - 30, cx + 34, top + head_h + 60], fill=_shade(skin, 0.92))
    draw.polygon([(cx - 40, top + head_h + 42), (cx, top + head_h + 100), (cx + 40, top + head_h + 42)],
                 fill=_shade(skin, 0.92))
    collar = _shade(shirt, 1.35) if sum(shirt) < 400 else _shade(shirt, 0.8)
    draw.line([(cx - 44, top + head_h + 40), (cx, top + head_h + 104), (cx + 44, top + head_h + 40)], fill=collar,
              width=7)
    # ears, head
    ear_y = top + head_h // 2
    for side in (-1, 1):
        ex = cx + side * head_w // 2
        draw.ellipse([ex - 14, ear_y - 22, ex + 14, ear_y + 22], fill=_shade(skin, 0.95))
    draw.ellipse([cx - head_w // 2, top, cx + head_w // 2, top + head_h], fill=skin)
    # hair on top: a cap, with a parting or a fringe
    cap = [cx - head_w // 2 - 6, top - 14, cx + head_w // 2 + 6, top + head_h * 0.62]
    if rnd.random() < 0.1:  # very short hair
        draw.chord(cap, 190, 350, fill=hair)
    else:
        draw.chord(cap, 170, 370, fill=hair)
        if rnd.random() < 0.5:
            draw.pieslice([cx - head_w // 2 - 4, top - 8, cx + head_w // 2 - 20, top + head_h * 0.5], 180, 300,
                          fill=hair)
    # eyebrows, eyes, nose, mouth
    eye_y = top + int(head_h * 0.47)
    gap = int(head_w * 0.21)
    brow = _shade(hair, 0.8)
    for side in (-1, 1):
        ex = cx + side * gap
        draw.line([(ex - 17, eye_y - 17 + rnd.randint(-2, 2)), (ex + 17, eye_y - 19)], fill=brow, width=5)
        draw.ellipse([ex - 13, eye_y - 7, ex + 13, eye_y + 7], fill=(250, 250, 248))
        draw.ellipse([ex - 6, eye_y - 6, ex + 6, eye_y + 6], fill=rnd.choice([(70, 50, 35), (60, 90, 120),
                                                                               (80, 100, 70)]))
        draw.ellipse([ex - 3, eye_y - 3, ex + 3, eye_y + 3], fill=(15, 15, 15))
    nose_y = eye_y + int(head_h * 0.2)
    draw.line([(cx + 2, eye_y + 10), (cx - 6, nose_y), (cx + 6, nose_y + 2)], fill=_shade(skin, 0.8), width=3)
    mouth_y = nose_y + int(head_h * 0.13)
    smile = rnd.randint(6, 14)
    draw.arc([cx - 26, mouth_y - smile, cx + 26, mouth_y + smile], 15, 165, fill=(150, 70, 70), width=4)
    if rnd.random() < 0.2:  # glasses
        for side in (-1, 1):
            ex = cx + side * gap
            draw.rounded_rectangle([ex - 24, eye_y - 15, ex + 24, eye_y + 15], radius=8, outline=(35, 35, 40),
                                   width=3)
        draw.line([(cx - gap + 24, eye_y), (cx + gap - 24, eye_y)], fill=(35, 35, 40), width=3)
    img = img.filter(ImageFilter.BoxBlur(1))  # soften the drawn edges a little, as a lens would
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=84)
    return out.getvalue()
