"""Wallet passes: what a member's card says in Apple Wallet and Google Wallet.

Pure builders of the documents both wallets read; signing them is an adapter's job.
"""
