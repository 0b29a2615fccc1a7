"""Subcommands of the ``bridgework`` console script, one module each.

Every module here defines ``register(subparsers)``, which adds its parser(s) and sets
``handler=`` to a function taking the parsed arguments and returning an exit status.
``bridgework.cli`` discovers the modules, so a new command needs no edit elsewhere.
Modules must import heavy or Django-dependent code inside their handlers, so that
``bridgework --help`` stays fast and the pure commands never load Django.
"""
