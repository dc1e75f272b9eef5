"""Routes of the customer portal (being written)."""
