"""The audit log: an append-only record of what coordinators and administrators did."""
