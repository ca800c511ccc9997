"""The one registry of what a learner can do: commands, buttons, free-text steps and pending answers.

Each flow module declares its commands (name, aliases, typed forms with an argument, help line,
quick-menu label) and its buttons (a payload class and its handler) in its `register()`. Routing,
the /trogiup text and `Conversation.menu()` are generated from here, so adding a command is one
flow module plus its tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from knowledge.textnorm import fold
from tutor import texts
from tutor.messages import MenuEntry
from tutor.payloads import Payload

if TYPE_CHECKING:
    from tutor.flows.base import FlowContext, Outcome, Turn

CommandHandler = Callable[["FlowContext", "Turn", str], "Outcome"]
ButtonHandler = Callable[["FlowContext", "Turn", Any], "Outcome"]
TextHandler = Callable[["FlowContext", "Turn"], "Outcome | None"]


@dataclass(frozen=True)
class Command:
    """A command: `/name`, its aliases and label typed with or without slash or tone marks."""

    name: str  # without the slash: "hoc"
    help: str  # the help line's text: "học bài tiếp theo"
    run: CommandHandler  # (context, turn, argument) -> outcome
    aliases: tuple[str, ...] = ()  # other words for it ("learn", "bai tap"); folded, spaces ignored
    usage: str = ""  # an argument example shown in help ("19:30")
    arg_forms: tuple[str, ...] = ()  # regexes on folded text taking an argument without the slash
    label: str = ""  # short label for menus; sending it as text runs the command
    quick: int | None = None  # position in the persistent quick menu
    anytime: bool = False  # also runs during the profile steps
    before_consent: CommandHandler | None = None  # what it does before consent (None: ask consent)

    @property
    def words(self) -> set[str]:
        """Every typed form, folded and with spaces removed."""
        forms = {self.name, *self.aliases}
        if self.label:
            forms.add(self.label)
        return {re.sub(r"\s+", "", fold(form)) for form in forms}


@dataclass(frozen=True)
class ButtonAction:
    """What a button payload class does."""

    payload: type[Payload]
    run: ButtonHandler  # (context, turn, payload) -> outcome
    anytime: bool = False  # also during the profile steps
    before_consent: bool = False  # allowed before consent (only the consent button itself)


@dataclass(frozen=True)
class TextStep:
    """A free-text handler tried in `order` (lower first); returns None to pass the text on."""

    name: str
    order: int
    run: TextHandler


@dataclass(frozen=True)
class ParsedCommand:
    """A message read as a command: the command (None: unknown "/xyz"), its argument, the word typed."""

    command: Command | None
    arg: str
    word: str

    @property
    def unknown(self) -> bool:
        return self.command is None


@dataclass
class Registry:
    """Commands, buttons, free-text steps and pending confirmations of every flow."""

    commands: list[Command] = field(default_factory=list)
    buttons: dict[type[Payload], ButtonAction] = field(default_factory=dict)
    text_steps: list[TextStep] = field(default_factory=list)
    pending: dict[str, TextHandler] = field(default_factory=dict)
    _words: dict[str, Command] = field(default_factory=dict)
    _arg_forms: list[tuple[re.Pattern[str], Command]] = field(default_factory=list)

    # --- declaring ----------------------------------------------------------------------------
    def command(self, command: Command) -> None:
        """Declare a command; a typed form used by two commands is an error."""
        for word in command.words:
            if word in self._words:
                raise ValueError(f"command word {word!r} used by /{self._words[word].name} and /{command.name}")
            self._words[word] = command
        self._arg_forms.extend((re.compile(rf"^(?:{form})$"), command) for form in command.arg_forms)
        self.commands.append(command)

    def button(self, action: ButtonAction) -> None:
        """Declare what a payload class does."""
        if action.payload in self.buttons:
            raise ValueError(f"payload {action.payload.__name__} declared twice")
        self.buttons[action.payload] = action

    def text(self, step: TextStep) -> None:
        """Declare a free-text step."""
        self.text_steps.append(step)
        self.text_steps.sort(key=lambda s: s.order)

    def on_pending(self, name: str, handler: TextHandler) -> None:
        """Declare what answers a pending confirmation (`ConversationState.pending == name`)."""
        self.pending[name] = handler

    # --- reading ------------------------------------------------------------------------------
    def get(self, name: str) -> Command:
        """A command by name."""
        return next(c for c in self.commands if c.name == name)

    def payload_types(self) -> list[type[Payload]]:
        return list(self.buttons)

    def parse(self, text: str) -> ParsedCommand | None:
        """The command of a message; None when it is not one.

        Accepts "/hoc", "/hoc@bot", "hoc", "Học", "tien do", "Học tiếp", "/nhacnho 19:30",
        "nhac nho 19:30"; an unknown "/xyz" gives a ParsedCommand whose command is None.
        """
        stripped = text.strip()
        if stripped.startswith("/"):
            first, _, rest = stripped[1:].partition(" ")
            word = fold(first).split("@", 1)[0]
            return ParsedCommand(self._words.get(word), rest.strip(), "/" + first)
        folded = fold(stripped).strip(" .!?")
        joined = re.sub(r"\s+", "", folded)
        if joined in self._words:
            return ParsedCommand(self._words[joined], "", stripped)
        for pattern, command in self._arg_forms:
            match = pattern.match(folded)
            if match:
                return ParsedCommand(command, match.group(1).strip(), stripped)
        return None

    def ordered(self) -> list[Command]:
        """Commands in display order: the quick ones by position, then the rest as declared."""
        quick = sorted((c for c in self.commands if c.quick is not None), key=lambda c: c.quick or 0)
        return quick + [c for c in self.commands if c.quick is None]

    def menu(self) -> list[MenuEntry]:
        """Menu entries for channels (Telegram's command list, web quick actions)."""
        return [
            MenuEntry(command=c.name, label=c.label or f"/{c.name}", description=c.help, quick=c.quick is not None)
            for c in self.ordered()
        ]

    def help_text(self) -> str:
        """The /trogiup text: one line per command."""
        lines = [texts.HELP_TITLE]
        for c in self.ordered():
            usage = f" {c.usage}" if c.usage else ""
            lines.append(f"/{c.name}{usage} – {c.help}")
        lines.append(texts.HELP_FOOTER)
        return "\n".join(lines)
