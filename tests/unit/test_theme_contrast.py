"""The company colour's palette: WCAG luminance and contrast, text colour on the brand, links on white."""
import pytest

from portal.infra.theme import (
    CANVAS,
    INK,
    WHITE,
    brand_palette,
    contrast_ratio,
    darkened_until,
    relative_luminance,
    surface,
    text_on,
    theme_css,
)


def test_relative_luminance_and_contrast_match_wcag():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # Bootstrap's grey on white: 4.69:1 (the figure WebAIM's checker gives).
    assert contrast_ratio("#6c757d", "#ffffff") == pytest.approx(4.69, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_a_colour_too_light_for_white_text_gets_dark_text():
    assert text_on("#f6d743") == INK  # yellow
    assert text_on("#0b5394") == WHITE  # dark blue
    assert text_on("#28a745") == INK  # Bootstrap green: white is only 3.1:1
    for colour in ("#f6d743", "#0b5394", "#28a745", "#00ffff"):
        assert contrast_ratio(colour, text_on(colour)) >= 4.5
    # Pure red reaches 4.5:1 with neither white nor dark text: the button is darkened for white text.
    brand, text = surface("#ff0000")
    assert text == WHITE and contrast_ratio(brand, WHITE) >= 4.5 and brand.startswith("#") and brand[3:] == "0000"


def test_a_colour_too_light_for_links_is_darkened_until_it_reaches_4_5():
    link = darkened_until("#f6d743", 4.5)
    assert link != "#f6d743"
    assert contrast_ratio(link, WHITE) >= 4.5
    assert contrast_ratio(link, WHITE) < 5.0  # no darker than it has to be
    r, g, b = int(link[1:3], 16), int(link[3:5], 16), int(link[5:7], 16)
    assert r > g > b  # still a yellow-brown, not grey
    assert darkened_until("#0b5394", 4.5) == "#0b5394"  # already readable: unchanged


@pytest.mark.parametrize("colour", ["#f6d743", "#0b5394", "#ffffff", "#000000", "#38761d", "#ff0000", "not a colour", None])
def test_every_pair_in_the_palette_is_readable(colour):
    p = brand_palette(colour)
    assert contrast_ratio(p["brand"], p["brand-text"]) >= 4.5
    assert contrast_ratio(p["brand-strong"], p["brand-text"]) >= 4.5
    for background in (WHITE, CANVAS):
        assert contrast_ratio(p["brand-link"], background) >= 4.5
        assert contrast_ratio(p["brand-focus"], background) >= 3
    assert contrast_ratio(p["brand-soft-text"], p["brand-soft"]) >= 4.5


def test_theme_css_is_custom_properties_only():
    css = theme_css("#F6D743")
    assert css.startswith(":root{--brand:#f6d743;--brand-text:#1d1d1f;")
    assert "--brand-link:#" in css and "<" not in css


def test_the_theme_stylesheet_is_served_for_a_colour_and_refuses_anything_else(client):
    resp = client.get("/theme/f6d743.css")
    assert resp.status_code == 200 and resp.mimetype == "text/css"
    assert "--brand-text:#1d1d1f" in resp.get_data(as_text=True)
    assert "max-age" in resp.headers["Cache-Control"]
    assert client.get("/theme/red;}body{x.css").status_code == 404


def test_an_email_for_a_light_company_colour_writes_dark_text_on_its_button(db, collect):
    from sqlalchemy import select

    from portal.collection.email_list import split_email_list
    from portal.collection.operations import send_requests
    from portal.outbox.models import OutboxEmail

    company, orderer, card_type, _ = collect
    company.primary_color = "#f6d743"
    db.session.commit()
    send_requests(company, orderer, card_type, split_email_list("a@x.se").valid)
    db.session.commit()
    html = db.session.scalar(select(OutboxEmail)).body_html
    assert "background:#f6d743;color:#1d1d1f" in html.replace(" ", "")
    assert "background:#f6d743;color:#fff" not in html.replace(" ", "")
