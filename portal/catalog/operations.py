"""What the catalogue offers a company, and what of it is not yet translated."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.catalog.models import Accessory, CardType
from portal.catalog.translations import OTHER_LANGUAGES
from portal.infra.extensions import db
from portal.tenancy.models import Company


def offered_card_types(company: Company) -> list[CardType]:
    """Active card types the company may order or collect data for: the shared catalogue plus its own,
    with their layout fields loaded, in the order of their names in the reader's language."""
    found = db.session.scalars(
        select(CardType).options(selectinload(CardType.fields))
        .where(CardType.active.is_(True), or_(CardType.company_id.is_(None), CardType.company_id == company.id))
        .order_by(CardType.name, CardType.id)
    )
    return sorted(found, key=lambda ct: ct.display_name.casefold())


def offered_accessories() -> list[Accessory]:
    """Active accessories (the same for every company), by name in the reader's language."""
    found = db.session.scalars(select(Accessory).where(Accessory.active.is_(True)).order_by(Accessory.id)).all()
    return sorted(found, key=lambda acc: acc.display_name.casefold())


@dataclass(frozen=True)
class MissingTranslation:
    """A catalogue item with text not yet in one language. `model`/`item_id` name the row to edit (a layout
    field is edited on its card type); `fields` the untranslated fields (name, description, label, options)."""

    model: str  # "card_type" or "accessory"
    item_id: int
    title: str  # the English name (card type or accessory), with the field's label for a layout field
    fields: tuple[str, ...]
    field_key: str = ""


def missing_translations() -> dict[str, list[MissingTranslation]]:
    """For every language but English, the active catalogue items whose text has no translation in it."""
    card_types = list(db.session.scalars(select(CardType).options(selectinload(CardType.fields))
                                         .where(CardType.active.is_(True)).order_by(CardType.name, CardType.id)))
    accessories = list(db.session.scalars(select(Accessory).where(Accessory.active.is_(True))
                                          .order_by(Accessory.name, Accessory.id)))
    out: dict[str, list[MissingTranslation]] = {}
    for lang in OTHER_LANGUAGES:
        items = []
        for ct in card_types:
            if missing := ct.missing_translations(lang):
                items.append(MissingTranslation("card_type", ct.id, ct.name, tuple(missing)))
            for f in ct.fields:
                if missing := f.missing_translations(lang):
                    items.append(MissingTranslation("card_type", ct.id, f"{ct.name}: {f.label_en}", tuple(missing),
                                                    f.key))
        for a in accessories:
            if missing := a.missing_translations(lang):
                items.append(MissingTranslation("accessory", a.id, a.name, tuple(missing)))
        out[lang] = items
    return out
