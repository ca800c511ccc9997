"""Reading the course's YAML and text files with the file line of every key, for file:line problems."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.curriculum.models import Problem


@dataclass
class YamlDoc:
    """A parsed YAML document that remembers the file line of every key and list entry."""

    path: Path
    data: Any
    node: yaml.Node | None
    first_line: int  # file line of the document's first line

    def line(self, *loc: str | int) -> int:
        """File line of the deepest node found along `loc` (a key's own line for mapping keys)."""
        node = self.node
        if node is None:
            return self.first_line
        best = node.start_mark.line
        for part in loc:
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == part:
                        best, found = key.start_mark.line, value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                found = node.value[part]
                best = found.start_mark.line
            if found is None:
                break
            node = found
        return best + self.first_line


class ReadError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ReadError(1, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ReadError(0, f"cannot read: {exc.strerror or exc}") from exc


def parse_yaml(path: Path, text: str, first_line: int) -> YamlDoc:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        reason = getattr(exc, "problem", None) or str(exc)
        raise ReadError(line, f"invalid YAML: {reason}") from exc
    finally:
        loader.dispose()
    return YamlDoc(path, data, node, first_line)


def duplicate_keys(doc: YamlDoc) -> list[Problem]:
    """YAML silently keeps the last of two equal keys; report them instead."""
    problems: list[Problem] = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        problems.append(
                            Problem(doc.path, key.start_mark.line + doc.first_line, f"duplicate key '{key.value}'")
                        )
                    seen.add(key.value)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)

    if doc.node is not None:
        walk(doc.node)
    return problems


def load_yaml_file(path: Path, problems: list[Problem]) -> YamlDoc | None:
    """Parse a YAML file; on failure record a problem and return None."""
    try:
        text = read_text(path)
        problems.extend(nfc_problems(path, text))
        doc = parse_yaml(path, text, 1)
    except ReadError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return None
    problems.extend(duplicate_keys(doc))
    return doc


def validate(model: type[BaseModel], doc: YamlDoc, problems: list[Problem]) -> Any | None:
    """Validate `doc.data` against `model`; record each error at its line and return None on failure."""
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.path, doc.first_line, "expected a mapping of fields (key: value)"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(Problem(doc.path, doc.line(*err["loc"]), _error_message(err)))
        return None


def validate_at(
    model: type[BaseModel], data: Any, doc: YamlDoc, prefix: tuple[str | int, ...], problems: list[Problem]
) -> Any | None:
    """Validate one entry found at `prefix` in `doc` (e.g. ("cards", 3)); errors are reported at their lines."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc: tuple[str | int, ...] = (*prefix, *err["loc"])
            problems.append(Problem(doc.path, doc.line(*loc), _error_message({**err, "loc": loc})))
        return None


def _format_loc(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: Any) -> str:
    loc = _format_loc(err["loc"])
    kind = err["type"]
    if kind == "missing":
        return f"missing field '{loc}'"
    if kind == "extra_forbidden":
        return f"unknown field '{loc}'"
    message = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, (str, int, float, bool)):
        return f"{loc}: {message} (got {value!r})"
    return f"{loc}: {message}"


def nfc_problems(path: Path, text: str) -> list[Problem]:
    """One problem per line that is not in Unicode NFC form."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not unicodedata.is_normalized("NFC", line):
            word = next(
                (w for w in line.split() if not unicodedata.is_normalized("NFC", w)),
                line.strip(),
            )
            fixed = unicodedata.normalize("NFC", word)
            problems.append(Problem(path, number, f"text is not NFC-normalized: '{fixed}' (decomposed)"))
    return problems
