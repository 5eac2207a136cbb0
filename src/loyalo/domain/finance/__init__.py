"""Finance: the points liability, breakage by issuing cohort, and the financial model."""
