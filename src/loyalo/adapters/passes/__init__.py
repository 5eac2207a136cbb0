"""Wallet passes signed with the operator's keys: Apple's .pkpass, Google's save JWT."""
