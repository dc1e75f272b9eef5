"""A card holder's rights (GDPR): find a person, export what is held about them, erase them."""
