"""Analytics: the export of the transactional store to a columnar one, and the KPIs over it."""
