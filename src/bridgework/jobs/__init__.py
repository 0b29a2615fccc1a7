"""Bulk actions run in the worker, with progress a coordinator can watch and come back to."""
