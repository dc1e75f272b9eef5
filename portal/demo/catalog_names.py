"""The demo catalogue's names in Swedish, Norwegian, Danish and Finnish, so the demo shows every
language: English text -> (sv, nb, da, fi). Choice lists are translated option by option."""
from __future__ import annotations

LANGS = ("sv", "nb", "da", "fi")

NAMES = {
    # card types and their descriptions
    "Employee badge": ("Personalkort", "Ansattkort", "Medarbejderkort", "Henkilöstökortti"),
    "PVC card with photo, name and employee number.": (
        "PVC-kort med foto, namn och anställningsnummer.", "PVC-kort med bilde, navn og ansattnummer.",
        "PVC-kort med foto, navn og medarbejdernummer.", "PVC-kortti, jossa on kuva, nimi ja henkilönumero."),
    "Construction site ID card": ("ID-kort för byggarbetsplats", "ID-kort for byggeplass", "ID-kort til byggepladsen",
                                  "Työmaan henkilökortti"),
    "Site ID card with photo and personal identity number.": (
        "ID-kort för byggarbetsplatsen med foto och personnummer.", "ID-kort for byggeplassen med bilde og fødselsnummer.",
        "ID-kort til byggepladsen med foto og CPR-nummer.", "Työmaan henkilökortti, jossa on kuva ja henkilötunnus."),
    "Key fob": ("Nyckelbricka", "Nøkkelbrikke", "Nøglebrik", "Kulkutunniste"),
    "RFID key fob for doors and lockers.": (
        "RFID-nyckelbricka för dörrar och skåp.", "RFID-nøkkelbrikke for dører og skap.",
        "RFID-nøglebrik til døre og skabe.", "RFID-kulkutunniste oviin ja kaappeihin."),
    # layout field labels
    "First name": ("Förnamn", "Fornavn", "Fornavn", "Etunimi"),
    "Last name": ("Efternamn", "Etternavn", "Efternavn", "Sukunimi"),
    "Employee number": ("Anställningsnummer", "Ansattnummer", "Medarbejdernummer", "Henkilönumero"),
    "Department": ("Avdelning", "Avdeling", "Afdeling", "Osasto"),
    "Personal identity number": ("Personnummer", "Fødselsnummer", "CPR-nummer", "Henkilötunnus"),
    "Employer": ("Arbetsgivare", "Arbeidsgiver", "Arbejdsgiver", "Työnantaja"),
    "Email": ("E-post", "E-post", "E-mail", "Sähköposti"),
    "Photo": ("Foto", "Bilde", "Foto", "Valokuva"),
    # choice options
    "Office": ("Kontor", "Kontor", "Kontor", "Toimisto"),
    "Warehouse": ("Lager", "Lager", "Lager", "Varasto"),
    "Field service": ("Fältservice", "Feltservice", "Udkørende service", "Kenttähuolto"),
    # accessories
    "Card holder, transparent": ("Korthållare, transparent", "Kortholder, gjennomsiktig", "Kortholder, gennemsigtig",
                                 "Korttikotelo, läpinäkyvä"),
    "Lanyard with safety release": ("Nyckelband med säkerhetsspänne", "Nøkkelbånd med sikkerhetslås",
                                    "Halsbånd med sikkerhedslås", "Kaulanauha turvalukolla"),
    "Retractable yo-yo": ("Jojo med indragbar lina", "Jojo med uttrekkbar snor", "Yoyo med udtrækkelig snor",
                          "Rullattava korttipidike"),
}


def translate(item):
    """Fill a catalogue row's translations from NAMES (every translatable field, choices line by line)."""
    for field in item.TRANSLATED:
        base = item.base_text(field)
        if not base:
            continue
        for i, lang in enumerate(LANGS):
            if field == "options":
                text = "\n".join(NAMES[line.strip()][i] for line in base.splitlines() if line.strip())
            else:
                text = NAMES[base][i]
            item.set_translation(lang, field, text)
    for child in getattr(item, "fields", None) or ():
        translate(child)
    return item
