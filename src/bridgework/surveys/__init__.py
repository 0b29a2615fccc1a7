"""Relational Coordination surveys: work processes, waves, invitations, answers, results."""
