"""Referrals: codes, the self-referral and cap guards, and who gets what when."""
