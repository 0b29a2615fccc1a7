"""``python -m bridgework`` is the same as the ``bridgework`` command."""

from bridgework.cli import main

raise SystemExit(main())
