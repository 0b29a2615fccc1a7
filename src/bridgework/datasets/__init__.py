"""File formats: CSV/XLSX readers with row-level validation, writers, the demo network."""
