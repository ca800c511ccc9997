"""The tutor's flows, one module each; `build_registry()` declares them all in help/menu order.

Adding a command: write its handler `(ctx, turn, arg) -> Outcome` in the flow it belongs to (or a
new module here, added to FLOWS), declare it in that module's `register()` with `Command(...)`
(name, help line, aliases, label, argument forms), and its buttons with a payload dataclass in
`tutor/payloads.py` plus `ButtonAction(...)`. Routing, /trogiup and the channel menus follow.
"""

from __future__ import annotations

from tutor.flows import (
    catalogue,
    certificate,
    data_rights,
    glue,
    lessons,
    linking,
    listing,
    motivation,
    officers,
    onboarding,
    placement,
    practice,
    progress,
    questions,
    quiz,
    quiz_text,
    reminders,
)
from tutor.flows import review as review_flow
from tutor.registry import Registry

# Declaration order is the order of non-quick commands in /trogiup and the menus.
FLOWS = (
    catalogue,
    lessons,
    questions,
    quiz,
    quiz_text,
    progress,
    motivation,
    listing,
    review_flow,
    placement,
    practice,
    certificate,
    reminders,
    linking,
    data_rights,
    officers,
    onboarding,
    glue,
)


def build_registry() -> Registry:
    """A registry holding every flow's commands, buttons and text steps."""
    registry = Registry()
    for flow in FLOWS:
        flow.register(registry)
    return registry
