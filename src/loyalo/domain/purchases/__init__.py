"""Purchases and returns: baskets, what they earn, what a return takes back."""
