"""Governance above the feature apps: erasing a person, retention of raw answers, backups.

This package may import every feature app; none of them imports it. Each feature app owns
the deletion of its own records (``services.person_data_erase``); this package only decides
the order and writes the audit event.
"""
