"""Wallet passes for a member: an Apple Wallet package, a Google Wallet save link."""
