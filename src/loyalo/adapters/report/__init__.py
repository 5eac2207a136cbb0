"""The report's files: a self-contained HTML page with charts, and the tables behind them."""
