"""One widget draws a layout field in every form that asks for a card's data."""
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _render(app, **kw):
    with app.test_request_context():
        macro = app.jinja_env.get_template("_layout_field.html").module.layout_field_input
        return str(macro(**kw))


class _Field:
    def __init__(self, key, kind, required=True, options=(), shown=None):
        self.key, self.kind, self.required, self.option_list, self.max_length = key, kind, required, list(options), 80
        self.shown = list(shown or options)

    def option_choices(self, lang=None):
        return list(zip(self.option_list, self.shown, strict=True))


def test_each_kind_is_drawn_with_its_input_type_and_error(app):
    html = _render(app, f=_Field("site", "choice", options=["Umeå", "Luleå"]), value="Luleå", error="Choose a site")
    assert '<select class="form-control is-invalid" id="f-site" name="site" required' in html
    assert '<option value="Luleå" selected>Luleå</option>' in html and 'id="e-site">Choose a site</div>' in html
    assert 'type="tel"' in _render(app, f=_Field("mobile", "phone"), value="")
    # a choice is sent as its stable value and reads in the reader's language
    swedish = _render(app, f=_Field("dept", "choice", options=["Office", "Warehouse"], shown=["Kontor", "Lager"]),
                      value="Warehouse")
    assert '<option value="Warehouse" selected>Lager</option>' in swedish
    national = _render(app, f=_Field("pnr", "national_id", required=False), value="19850312-1009", css="")
    # a full keyboard: Finnish ids end in a letter, Swedish ones may carry "-" or "+"
    assert 'autocomplete="off"' in national and "inputmode" not in national
    assert "class=" not in national and "required" not in national


def test_no_form_template_draws_layout_fields_by_hand():
    templates = [p for d in ("admin_views", "selfservice", "portal") for p in (ROOT / d).rglob("*.html")]
    by_hand = [str(p.relative_to(ROOT)) for p in templates
               if "kind == 'choice'" in p.read_text() and p.name != "_layout_field.html"]
    assert by_hand == []


def test_one_reader_takes_the_layouts_fields_from_a_form_and_cuts_them_alike(app):
    from werkzeug.datastructures import MultiDict

    from portal.catalog.layout import read_layout_values

    class _Type:
        fields = [_Field("first_name", "text"), _Field("photo", "photo"), _Field("site", "choice", options=["A"])]

    form = MultiDict({"first_name": "x" * 10_000, "site": "A", "photo": "ignored", "is_admin": "1"})
    assert read_layout_values(_Type, form) == {"first_name": "x" * 130, "site": "A"}
    sources = [p for d in ("admin_views", "selfservice") for p in (ROOT / d).rglob("*.py")]
    assert [str(p) for p in sources if "form.get(f.key" in p.read_text()] == []
