"""Importing purchase history through the programme's rules."""
