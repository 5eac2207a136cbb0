"""Finance: liability and breakage read from the ledger, and the financial model's actuals."""
