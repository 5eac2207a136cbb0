"""Coupons and what they give: the benefit a reward or a promo code grants at the till."""
