"""Coupons and promo codes: issued, generated in batches, validated and used at the till."""
