"""The built-in conversation guides, written for Bridgework.

Each guide is a title, a one-line summary and prompts (one per line). They are copied into a
network the first time its coordinators open the guides, so they can be edited there.

The first guide follows the spirit of Jody Hoffer Gittell's *Conversations of Interdependence*
(Gittell 2016, *Transforming Relationships for High Performance*, Stanford University Press):
two people who depend on each other's work take turns to describe their own work and how it
meets the other's. The wording here is our own.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUILTIN_GUIDES", "BuiltinGuide"]


@dataclass(frozen=True)
class BuiltinGuide:
    key: str
    title: str
    summary: str
    body: str


BUILTIN_GUIDES: tuple[BuiltinGuide, ...] = (
    BuiltinGuide(
        key="interdependence",
        title="How our work depends on each other",
        summary="Take turns: each of you describes your work and how it meets the other's.",
        body="\n".join(
            [
                "What are your main responsibilities, day to day?",
                "What is most meaningful to you in your work?",
                "What in the other person's work helps yours — and what would you miss if it "
                "stopped?",
                "Is there anything either of you could do differently that would make the "
                "other's work easier?",
                "When is your work aligned, and when does it end up at cross-purposes?",
                "Agree one small thing to try, or one person to introduce each other to.",
            ]
        ),
    ),
    BuiltinGuide(
        key="why",
        title="Why we do this work",
        summary="Tell each other the story of how you came to this work and what keeps you in it.",
        body="\n".join(
            [
                "How did you come to do the work you do now?",
                "Tell a moment when you knew the work mattered — a person, a family, a day.",
                "What keeps you in this work when it is hard?",
                "What would you like people in other agencies to understand about your work?",
                "What do you hope the people you serve notice when our agencies work well "
                "together?",
            ]
        ),
    ),
    BuiltinGuide(
        key="habits",
        title="Relational habits",
        summary="Four short habits for a good first conversation across a boundary.",
        body="\n".join(
            [
                "Mean the question: ask what you really want to know, and listen to the answer.",
                "Don't make it awkward: half an hour, a coffee, no agenda to sell.",
                "Invest early: get to know people before you need each other in a crisis.",
                "Look at the bigger picture: who else does each of you depend on, and who "
                "depends on you?",
            ]
        ),
    ),
)
