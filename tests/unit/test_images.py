"""Behaviour of portal.infra.images as a customer would notice it: what gets accepted,
what the printed photo/logo looks like, and that private metadata never leaks."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFile, JpegImagePlugin

from portal.infra import images
from portal.infra.images import ImageRejected

RED, GREEN, BLUE, WHITE = (220, 20, 20), (20, 200, 40), (30, 40, 220), (255, 255, 255)
GREY = (128, 128, 128)


def encode(img: Image.Image, fmt: str, **options) -> bytes:
    buf = BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    img = Image.open(BytesIO(data))
    img.load()
    return img


def close_to(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def red_corner_image(size=(600, 400), block=150) -> Image.Image:
    """Grey picture with a red block in the top-left corner, to track orientation."""
    img = Image.new("RGB", size, GREY)
    ImageDraw.Draw(img).rectangle((0, 0, block - 1, block - 1), fill=RED)
    return img


def bomb_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG, built row by row so the test itself stays small."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- what is refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        encode(Image.new("P", (40, 40)), "GIF"),
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>',
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF",
        encode(Image.new("RGB", (40, 40)), "BMP"),
    ],
    ids=["gif", "svg", "pdf-named-jpg", "bmp"],
)
def test_non_photo_files_are_refused_with_a_readable_message(data):
    with pytest.raises(ImageRejected) as exc:
        images.normalise_photo(data)
    assert exc.value.code == "unreadable"
    assert "JPEG, PNG, WebP or HEIC" in str(exc.value)


def test_empty_file_is_refused():
    with pytest.raises(ImageRejected) as exc:
        images.normalise_photo(b"")
    assert exc.value.code == "empty"
    assert str(exc.value) == "The file is empty."


def test_file_over_the_byte_limit_is_refused_before_decoding():
    data = encode(red_corner_image(), "PNG")
    with pytest.raises(ImageRejected) as exc:
        images.open_upload(data, max_bytes=len(data) - 1)
    assert exc.value.code == "too_large"
    assert "max" in str(exc.value)


def test_truncated_jpeg_is_reported_as_damaged():
    data = encode(Image.effect_noise((800, 600), 50).convert("RGB"), "JPEG")
    with pytest.raises(ImageRejected) as exc:
        images.normalise_photo(data[: len(data) // 2])
    assert exc.value.code == "damaged"
    assert "damaged or incomplete" in str(exc.value)
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize(
    "width, height, megapixels",
    [
        (8000, 6000, "48"),  # above our 40 MP limit, below Pillow's own
        (12000, 10000, "120"),  # Pillow's DecompressionBombWarning range
        (20000, 10000, "200"),  # Pillow's DecompressionBombError range
    ],
)
def test_decompression_bomb_is_refused_without_decoding_pixels(monkeypatch, width, height, megapixels):
    data = bomb_png(width, height)
    assert len(data) < 200_000  # tiny on disk, huge in memory

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageRejected) as exc:
        images.normalise_photo(data)
    assert exc.value.code == "too_many_pixels"
    assert f"({megapixels} megapixels)" in str(exc.value)
    assert "limit is 40 megapixels" in str(exc.value)


@pytest.mark.parametrize(
    "crop, rotate",
    [
        ({"x": "left", "y": 0, "width": 10, "height": 10}, 0),
        ({"x": 0, "y": 0, "width": 0, "height": 10}, 0),
        ({"x": 0, "y": 0}, 0),
        (None, 45),
        (None, "sideways"),
    ],
)
def test_invalid_crop_or_rotation_is_refused(crop, rotate):
    with pytest.raises(ImageRejected) as exc:
        images.normalise_photo(encode(red_corner_image(), "PNG"), crop=crop, rotate=rotate)
    assert exc.value.code == "bad_settings"


# --- what the printed photo looks like -------------------------------------------------


@pytest.mark.parametrize("size", [(300, 400), (600, 400), (400, 900), (3000, 400)])
def test_photo_always_comes_out_at_exact_card_size_as_rgb_jpeg(size):
    out = decode(images.normalise_photo(encode(red_corner_image(size, block=10), "PNG")))
    assert out.format == "JPEG"
    assert out.size == (413, 531)
    assert out.mode == "RGB"


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("data", [(1.45, 0, 12.5, 0, 1.45, 30.25),  # the crop of a phone's upload
                                  (1.8 * 0.996, -1.8 * 0.087, 120, 1.8 * 0.087, 1.8 * 0.996, 40)])  # levelled
def test_the_fast_resampling_puts_every_pixel_where_pillow_puts_it(mode, data):
    """The card's pixels are sampled by OpenCV (six times faster); a half-pixel slip would move the face."""
    from portal.infra.image_pixels import affine

    source = red_corner_image((900, 1100), block=10).convert(mode)
    ImageDraw.Draw(source).ellipse((300, 300, 620, 700), fill="blue" if mode == "RGB" else 90)
    fast = affine(source, (413, 531), data)
    slow = source.transform((413, 531), Image.Transform.AFFINE, data, resample=Image.Resampling.BILINEAR,
                            fillcolor=(255, 255, 255) if mode == "RGB" else 255)
    assert fast.mode == mode and fast.size == (413, 531)
    difference = ImageChops.difference(fast, slow).convert("L")
    assert difference.getextrema()[1] <= 4  # rounding only: not a pixel shifted


@pytest.mark.parametrize("size", [(50, 40), (3000, 200), (120, 160)])
def test_photo_too_small_for_the_card_is_refused_not_enlarged(size):
    with pytest.raises(images.ImageRejected) as exc:
        images.normalise_photo(encode(red_corner_image(size, block=10), "PNG"))
    assert exc.value.code == "too_small" and "276 x 354" in str(exc.value)


def test_exif_orientation_6_turns_a_sideways_phone_photo_upright():
    stored = red_corner_image((600, 400))  # sensor is landscape, red block top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    out = decode(images.normalise_photo(encode(stored, "JPEG", exif=exif)))
    # Upright the photo is portrait and the red block sits top-right.
    assert close_to(out.getpixel((380, 30)), RED)
    assert close_to(out.getpixel((30, 30)), GREY)
    assert close_to(out.getpixel((380, 500)), GREY)


@pytest.mark.parametrize(
    "rotate, red_at",
    [
        (90, (380, 30)),  # turn right: top-left goes to top-right
        (-90, (30, 500)),  # turn left: top-left goes to bottom-left
        (270, (30, 500)),
        (180, (380, 500)),
        (0, (30, 30)),
    ],
)
def test_user_rotation_is_clockwise_as_seen_on_screen(rotate, red_at):
    square = red_corner_image((600, 600), block=200)
    out = decode(images.normalise_photo(encode(square, "PNG"), rotate=rotate))
    assert close_to(out.getpixel(red_at), RED)
    corners = {(30, 30), (380, 30), (30, 500), (380, 500)} - {red_at}
    assert all(close_to(out.getpixel(p), GREY) for p in corners)


def quadrants(size=(1000, 1000)) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, GREY)
    draw = ImageDraw.Draw(img)
    draw.rectangle((w // 2, 0, w - 1, h // 2 - 1), fill=GREEN)
    draw.rectangle((0, h // 2, w // 2 - 1, h - 1), fill=BLUE)
    return img


def test_crop_box_selects_exactly_the_chosen_region():
    crop = {"x": 560, "y": 10, "width": 350.0, "height": 450.0}  # inside the green quadrant
    out = decode(images.normalise_photo(encode(quadrants(), "PNG"), crop=crop))
    for point in [(3, 3), (409, 3), (3, 527), (409, 527), (206, 265)]:
        assert close_to(out.getpixel(point), GREEN), point


def test_crop_box_reaching_outside_the_picture_is_clamped_not_stretched():
    crop = {"x": 700, "y": -300, "width": 600, "height": 772}  # overhangs top and right
    out = decode(images.normalise_photo(encode(quadrants(), "PNG"), crop=crop))
    assert out.size == (413, 531)
    assert close_to(out.getpixel((206, 100)), GREEN)


def test_crop_box_entirely_outside_falls_back_to_a_centre_crop():
    crop = {"x": 5000, "y": 5000, "width": 100, "height": 100}
    out = decode(images.normalise_photo(encode(quadrants(), "PNG"), crop=crop))
    assert close_to(out.getpixel((400, 20)), GREEN)
    assert close_to(out.getpixel((10, 520)), BLUE)


def test_crop_is_applied_after_rotation_in_the_rotated_coordinates():
    # Rotated 90 degrees right, the green top-right quadrant moves to the bottom-right.
    crop = {"x": 560, "y": 540, "width": 350, "height": 450}
    out = decode(images.normalise_photo(encode(quadrants(), "PNG"), crop=crop, rotate=90))
    assert close_to(out.getpixel((206, 265)), GREEN)
    assert close_to(out.getpixel((3, 3)), GREEN)


class DraftSpy:
    def __init__(self, monkeypatch):
        self.calls: list[tuple[tuple[int, int], tuple[int, int]]] = []
        original = JpegImagePlugin.JpegImageFile.draft

        def spy(img, mode, size):
            before = img.size
            result = original(img, mode, size)
            self.calls.append((before, img.size))
            return result

        monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)


def test_big_phone_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    spy = DraftSpy(monkeypatch)
    data = encode(red_corner_image((4000, 3000), block=1200), "JPEG", quality=90)
    out = decode(images.normalise_photo(data))
    assert out.size == (413, 531)
    assert len(spy.calls) == 1
    before, after = spy.calls[0]
    assert before == (4000, 3000) and after[0] < 4000
    # The reduced decode (1/4 here: about 5x faster than a full decode) still leaves more than the
    # target resolution in the crop, so the card photo is always scaled down, never up.
    assert after[1] >= 1.25 * 531 and after[0] <= 1000
    # Centre crop keeps x 833-3166: only the red block's right edge (to x 1200) remains.
    assert close_to(out.getpixel((20, 20)), RED)
    assert close_to(out.getpixel((100, 20)), GREY)
    assert close_to(out.getpixel((20, 300)), GREY)


def test_crop_on_a_reduced_decode_still_hits_the_same_spot(monkeypatch):
    spy = DraftSpy(monkeypatch)
    stored = Image.new("RGB", (4000, 3000), GREY)
    # Shown upright (orientation 6) the picture is 3000x4000. A green block at
    # x 1200-2999, y 1500-3799 of the upright picture is stored at x 1500-3799, y 0-1799.
    ImageDraw.Draw(stored).rectangle((1500, 0, 3799, 1799), fill=GREEN)
    exif = Image.Exif()
    exif[0x0112] = 6
    crop = {"x": 1250, "y": 1550, "width": 1700, "height": 2186}  # inside the block
    out = decode(images.normalise_photo(encode(stored, "JPEG", exif=exif, quality=92), crop=crop))
    assert spy.calls and spy.calls[0][1][0] < 4000  # a reduced decode really happened
    for point in [(5, 5), (407, 5), (5, 525), (407, 525), (206, 265)]:
        assert close_to(out.getpixel(point), GREEN), point


def test_iphone_heic_photo_is_accepted():
    images._ensure_heif()
    data = encode(red_corner_image((800, 600), block=400), "HEIF", quality=90)
    assert images.open_upload(data).format == "HEIF"
    out = decode(images.normalise_photo(data))
    assert out.format == "JPEG" and out.size == (413, 531)
    assert close_to(out.getpixel((20, 20)), RED)
    assert close_to(out.getpixel((400, 520)), GREY)


def test_heic_with_orientation_is_not_turned_twice():
    images._ensure_heif()
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(red_corner_image((600, 400)), "HEIF", exif=exif.tobytes(), quality=90)
    out = decode(images.normalise_photo(data))
    assert close_to(out.getpixel((380, 30)), RED)
    assert close_to(out.getpixel((30, 30)), GREY)


def test_transparent_png_background_becomes_white():
    img = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((300, 0, 599, 599), fill=BLUE + (255,))
    out = decode(images.normalise_photo(encode(img, "PNG")))
    assert close_to(out.getpixel((20, 265)), WHITE, 5)
    assert close_to(out.getpixel((390, 265)), BLUE)


def test_palette_png_with_transparent_colour_becomes_white():
    img = Image.new("P", (300, 300), 0)
    img.putpalette([0, 0, 0, *BLUE] + [0] * 762)
    ImageDraw.Draw(img).rectangle((150, 0, 299, 299), fill=1)
    out = decode(images.normalise_photo(encode(img, "PNG", transparency=0), check_size=False))
    assert close_to(out.getpixel((20, 265)), WHITE, 5)
    assert close_to(out.getpixel((390, 265)), BLUE)


def test_16_bit_greyscale_png_keeps_its_tone():
    img = Image.new("I;16", (300, 300), 32768)  # mid grey, not white
    out = decode(images.normalise_photo(encode(img, "PNG"), check_size=False))
    assert close_to(out.getpixel((200, 260)), GREY, 10)


def test_cmyk_jpeg_comes_out_as_rgb_with_the_right_colour():
    img = Image.new("CMYK", (300, 300), (0, 255, 255, 0))  # pure red ink
    out = decode(images.normalise_photo(encode(img, "JPEG"), check_size=False))
    assert out.mode == "RGB"
    assert close_to(out.getpixel((200, 260)), (255, 0, 0), 30)


def test_location_and_camera_metadata_never_leave_the_server():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 22.0, 1.5)
    gps[3], gps[4] = "E", (4.0, 53.0, 0.5)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(red_corner_image(), "JPEG", exif=exif, icc_profile=srgb, comment=b"home address")
    assert decode(data).getexif().get_ifd(0x8825)  # the upload really carries GPS

    for out_bytes in (images.normalise_photo(data), images.thumbnail_jpeg(data)):
        out = decode(out_bytes)
        assert out.info.get("exif") is None
        assert not out.getexif()
        assert not out.getexif().get_ifd(0x8825)
        assert "icc_profile" not in out.info and "comment" not in out.info
        assert b"PhoneMaker" not in out_bytes and b"home address" not in out_bytes


def test_thumbnail_is_small_jpeg():
    out = decode(images.thumbnail_jpeg(encode(red_corner_image((800, 600)), "PNG")))
    assert out.format == "JPEG" and out.size == (120, 154)


def test_image_rejected_message_is_translatable_text():
    exc = ImageRejected(images._l("The file is empty."), "empty")
    assert str(exc) == "The file is empty."
    assert exc.code == "empty"


# --- logos ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1000, 100), (100, 1000), (240, 240), (354, 118)])
def test_logo_always_fills_the_logo_slot_exactly(size):
    logo = Image.new("RGBA", size, (10, 10, 10, 255))
    data, _ = images.normalise_logo(encode(logo, "PNG"))
    out = decode(data)
    assert out.format == "PNG" and out.mode == "RGBA" and out.size == (354, 118)
    assert out.getpixel((177, 59))[3] == 255  # logo centred


def test_tall_logo_is_padded_with_transparency_not_stretched():
    data, _ = images.normalise_logo(encode(Image.new("RGB", (100, 300), BLUE), "PNG"))
    out = decode(data)
    assert out.getpixel((5, 59))[3] == 0 and out.getpixel((348, 59))[3] == 0
    left, top, right, bottom = out.getbbox()  # 100x300 scaled to about 39x118, centred
    assert (top, bottom) == (0, 118) and 38 <= right - left <= 40
    assert abs((left + right) / 2 - 177) <= 1


def test_greyscale_logo_is_not_colour():
    logo = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((10, 10, 190, 190), fill=(40, 40, 40, 255))
    draw.rectangle((220, 40, 390, 160), fill=(200, 200, 200, 128))
    _, is_colour = images.normalise_logo(encode(logo, "PNG"))
    assert is_colour is False


def test_colour_hidden_under_full_transparency_does_not_count():
    logo = Image.new("RGBA", (354, 118), (255, 0, 0, 0))  # exact size: pixels kept as-is
    ImageDraw.Draw(logo).rectangle((100, 20, 250, 100), fill=(30, 30, 30, 255))
    _, is_colour = images.normalise_logo(encode(logo, "PNG"))
    assert is_colour is False


def test_red_logo_is_colour():
    logo = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((50, 50, 150, 150), fill=RED + (255,))
    _, is_colour = images.normalise_logo(encode(logo, "PNG"))
    assert is_colour is True


def test_jpeg_and_webp_logos_are_accepted():
    for fmt in ("JPEG", "WEBP"):
        data, is_colour = images.normalise_logo(encode(Image.new("RGB", (300, 100), GREEN), fmt))
        assert decode(data).size == (354, 118)
        assert is_colour is True


@pytest.mark.parametrize("fmt", ["GIF", "HEIF"])
def test_other_logo_formats_are_refused(fmt):
    images._ensure_heif()
    data = encode(Image.new("RGB", (300, 100), GREEN), fmt)
    with pytest.raises(ImageRejected) as exc:
        images.normalise_logo(data)
    assert str(exc.value) == "Upload the logo as PNG, JPEG or WebP."


# --- login-page picture ---------------------------------------------------------------


def test_large_picture_is_shrunk_to_fit_and_keeps_transparency():
    img = Image.new("RGBA", (3000, 1500), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((0, 0, 1499, 1499), fill=BLUE + (255,))
    out = decode(images.normalise_picture(encode(img, "PNG")))
    assert out.format == "PNG" and out.size == (1200, 600)
    assert out.getpixel((100, 300))[3] == 255 and out.getpixel((1100, 300))[3] == 0


def test_small_picture_is_not_enlarged_and_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (200, 100), GREEN), "JPEG", exif=exif, icc_profile=srgb)
    out_bytes = images.normalise_picture(data)
    out = decode(out_bytes)
    assert out.size == (200, 100)
    assert not out.getexif() and b"PhoneMaker" not in out_bytes
    assert "icc_profile" not in out.info


def test_megapixels_are_written_the_readers_way(app):
    """Not "400.0 megapixel" on a Swedish page: Babel writes the number, the catalogue the sentence."""
    data = bomb_png(5000, 8500)
    for language, expected in (("sv", "Bilden är för stor (42,5 megapixel). Gränsen är 40 megapixel."),
                               ("en", "The picture is too large (42.5 megapixels). The limit is 40 megapixels.")):
        with app.test_request_context(f"/?lang={language}"):
            with pytest.raises(ImageRejected) as exc:
                images.normalise_photo(data)
            assert str(exc.value) == expected
