"""Routes of the employee pages (being written)."""
