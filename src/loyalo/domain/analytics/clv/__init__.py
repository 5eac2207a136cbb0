"""Customer lifetime value: the RFM summary, BG/NBD, Gamma-Gamma and the discounted CLV."""
