"""The financial model as an Excel workbook with live formulas (openpyxl)."""
