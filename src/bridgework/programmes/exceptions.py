"""The programmes app's own exception, shared by its services and its mailing."""

from __future__ import annotations


class ProgrammeError(Exception):
    """An action that does not fit the programme's or round's state (the message says why, in
    words a coordinator can act on)."""
