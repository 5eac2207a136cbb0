"""The customer-base report: RFM scores and segments, acquisition cohorts, the report's tables."""
