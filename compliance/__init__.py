"""compliance: check DTR-1 submissions and render referral packs and quarterly returns."""
