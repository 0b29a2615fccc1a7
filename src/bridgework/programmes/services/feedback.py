"""Feedback: one person's answers about their match."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from bridgework.programmes.models import Enrolment, Feedback, Match

__all__ = ["feedback_save"]


def feedback_save(
    *,
    enrolment: Enrolment,
    match: Match,
    met: bool,
    usefulness: int | None,
    will_work_together: bool,
    reflection: str = "",
) -> Feedback:
    """Store (or replace) one person's feedback on their match (of a published round: a
    draft's matches may still change)."""
    if not match.round.is_published or not match.places.filter(enrolment=enrolment).exists():
        raise ValidationError("This is not your match.")
    if usefulness is not None and usefulness not in range(1, 6):
        raise ValidationError({"usefulness": "Choose 1 to 5."})
    feedback, _ = Feedback.objects.update_or_create(
        match=match,
        enrolment=enrolment,
        defaults={
            "met": met,
            "usefulness": usefulness if met else None,
            "will_work_together": will_work_together,
            "reflection": reflection.strip(),
        },
    )
    return feedback
