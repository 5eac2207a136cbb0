"""Tiers: which level a member's metric reaches, and when a tier is reviewed."""
