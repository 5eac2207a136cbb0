"""Paid memberships: activation, renewal, cancellation and lapse, with their history."""
