"""The customer-base report: cohorts, RFM, points and liability over a period."""
