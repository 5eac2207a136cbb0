"""The ``loyalo`` command line."""
