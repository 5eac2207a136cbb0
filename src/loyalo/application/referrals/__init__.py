"""Referrals: codes and links, friends enrolled with a code, their rewards through the ledger."""
