"""Kinds of events in the append-only learning log (values are the strings stored in the database)."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """Every event kind the tutor writes; officers' statistics read them back by value."""

    CONSENT_GIVEN = "consent_given"
    PROFILE_COMPLETED = "profile_completed"
    LESSON_STARTED = "lesson_started"
    SECTION_VIEWED = "section_viewed"
    LESSON_COMPLETED = "lesson_completed"
    QUIZ_ANSWERED = "quiz_answered"
    QUIZ_COMPLETED = "quiz_completed"
    PLACEMENT_COMPLETED = "placement_completed"
    CERTIFIED = "certified"
    QUESTION_ASKED = "question_asked"
    FEEDBACK = "feedback"
    REMINDER_SET = "reminder_set"
    REMINDER_OFF = "reminder_off"
    DATA_EXPORTED = "data_exported"
    DATA_DELETED = "data_deleted"
    CHANNEL_LINKED = "channel_linked"
    VOICE_UNHEARD = "voice_unheard"  # a voice note that could not be heard (data: the problem)
