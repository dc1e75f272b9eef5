"""Pages outside the back office: the employee's personal-link pages and the customer portal."""
