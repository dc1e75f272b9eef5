"""Card holders approving or declining a change to their card (being written)."""
