"""Analytics: periods, filters and the KPI arithmetic (pure)."""
