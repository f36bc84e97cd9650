"""Call scripts as the head of sales writes them: plain text, parsed and checked before saving.

    greet: Hello! Do you have a minute?
      - Yes -> needs
      - No, call me later -> end
    needs: What do you need most now? [text]
      -> offer
    offer: This month 10% off the new range. [say]

A step is `key: text` at the start of a line. Indented `- answer -> key` lines make it a
question with answers (`-> end` or no arrow: the script ends there). `[text]` at the end asks
for a free answer, `[say]` is a line to say; their indented `-> key` says what comes next.
The first step is where the call starts. Loops are refused: every call reaches an end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STEP_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_-]{1,40})\s*:\s*(?P<text>.+)$")
ANSWER_LINE = re.compile(r"^-\s*(?P<label>.+?)\s*(?:->\s*(?P<target>[A-Za-z0-9_-]{1,40}))?$")
NEXT_LINE = re.compile(r"^->\s*(?P<target>[A-Za-z0-9_-]{1,40})$")
END = "end"


@dataclass
class ParsedAnswer:
    label: str
    target: str | None


@dataclass
class ParsedStep:
    key: str
    text: str
    kind: str  # choice, text, say
    line: int
    answers: list[ParsedAnswer] = field(default_factory=list)
    next_key: str | None = None


def parse_script(source: str) -> list[ParsedStep]:
    """The steps of a script text, or a ValidationError on `source` naming the line."""
    steps: list[ParsedStep] = []
    errors: list[str] = []
    current: ParsedStep | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indented = raw[:1].isspace()
        line = raw.strip()
        if not indented:
            match = STEP_LINE.match(line)
            if match is None:
                errors.append(
                    _("Line %(line)d: a step starts with its key and a colon, “greet: Hello”.")
                    % {"line": number}
                )
                current = None
                continue
            text = match["text"].strip()
            kind = "say"
            for marker, marker_kind in (("[text]", "text"), ("[say]", "say")):
                if text.lower().endswith(marker):
                    text, kind = text[: -len(marker)].strip(), marker_kind
            if match["key"].lower() == END:
                errors.append(_("Line %(line)d: “end” is reserved.") % {"line": number})
            current = ParsedStep(key=match["key"], text=text, kind=kind, line=number)
            steps.append(current)
            continue
        if current is None:
            errors.append(
                _("Line %(line)d: an indented line needs a step above it.") % {"line": number}
            )
            continue
        if (next_match := NEXT_LINE.match(line)) is not None:
            current.next_key = next_match["target"]
            continue
        answer = ANSWER_LINE.match(line)
        if answer is None:
            errors.append(
                _("Line %(line)d: write an answer as “- Yes -> next_step”.") % {"line": number}
            )
            continue
        if current.kind == "text":
            errors.append(
                _("Line %(line)d: a free-text step has no answers to choose.") % {"line": number}
            )
            continue
        current.kind = "choice"
        current.answers.append(ParsedAnswer(label=answer["label"], target=answer["target"]))
    if not steps and not errors:
        errors.append(_("Write at least one step."))
    errors.extend(_check_links(steps))
    if errors:
        raise ValidationError({"source": errors})
    return steps


def _check_links(steps: list[ParsedStep]) -> list[str]:
    errors: list[str] = []
    keys: dict[str, ParsedStep] = {}
    for step in steps:
        if step.key in keys:
            errors.append(
                _("Line %(line)d: step “%(key)s” is defined twice.")
                % {"line": step.line, "key": step.key}
            )
        keys[step.key] = step
    for step in steps:
        targets = [a.target for a in step.answers] if step.kind == "choice" else [step.next_key]
        for target in targets:
            if target and target.lower() != END and target not in keys:
                errors.append(
                    _("Line %(line)d: there is no step “%(key)s”.")
                    % {"line": step.line, "key": target}
                )
    if errors:
        return errors
    # loops: depth-first search over the links
    state: dict[str, int] = {}

    def visit(key: str) -> str | None:
        state[key] = 1
        step = keys[key]
        targets = [a.target for a in step.answers] if step.kind == "choice" else [step.next_key]
        for target in targets:
            if not target or target.lower() == END:
                continue
            if state.get(target) == 1:
                return target
            if state.get(target) is None and (found := visit(target)) is not None:
                return found
        state[key] = 2
        return None

    for step in steps:
        if state.get(step.key) is None and (looped := visit(step.key)) is not None:
            return [
                _("Step “%(key)s” leads back to itself: a call must reach an end.")
                % {"key": looped}
            ]
    return errors
