"""The money wallet: cashback in integer minor units of the programme currency."""
