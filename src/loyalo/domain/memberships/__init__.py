"""Paid memberships: subscriptions to a plan of the programme, their periods and history."""
