"""Programme documents as files: YAML or JSON text in, a validated document out."""

from loyalo.adapters.programme_files.loader import (
    load_programme,
    parse_programme,
    read_source,
    schema,
)

__all__ = ["load_programme", "parse_programme", "read_source", "schema"]
