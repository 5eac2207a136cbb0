"""Loyalo: an omnichannel customer-loyalty engine."""

__version__ = "0.1.0"
