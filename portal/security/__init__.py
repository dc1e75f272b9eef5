"""Sign-in security shared by the admin screens and the customer portal: password rules, throttling, 2FA."""
