"""The loyalty programme's terms: currency, earning and redemption rates."""
