"""RouterOS hotspot HTML substitution: `$(var)`, `$(var-esc)` and `$(if …)` blocks.

Imitates what the hotspot servlet does to .html/.htm/.txt files of the html-directory
before sending them (MikroTik manual, "Hotspot customisation", help.mikrotik.com/docs/x/AQAyBQ,
sections "Variables", "Working with variables", "Redirects and custom Headers" and "Misc";
reference: shared/reference/mikrotik-hotspot.md §1.1, §8.2):

* `$(name)` is replaced by the variable's value, **unescaped** (the router does no HTML
  escaping anywhere, §8.2).
* `$(name-esc)` is the value URL-escaped. The manual's only statement ("Misc"): username
  "123&456=1 2" becomes "123%26456%3D1+2" ("the valid representation … in the URL"). That is
  application/x-www-form-urlencoded, which is what `urllib.parse.quote_plus(value, safe="")`
  produces; it leaves only letters, digits and `_.-~` unescaped. VERIFY-ON-ROUTER T1: the exact
  set of characters RouterOS leaves unescaped (the manual gives one example).
* `$(if name)` includes what follows when the value is not empty ("equivalent to
  $(if name != "")"); `$(if name == value)` / `$(if name != value)` compare with a value
  written bare, in single or double quotes (the manual's examples use all three);
  `$(elif …)`, `$(else)`, `$(endif)` close it. Blocks nest. Only one branch is shown.
* `$(if http-status == 302)Text$(endif)` and `$(if http-header == "Name")value$(endif)` do not
  test: they SET the reply's status line and a header, with the inner text processed as usual;
  a later header with the same name replaces an earlier one. `render_response` returns them.
* A variable the servlet does not know renders empty. The manual says only that listed
  variables "might be empty at the time they are accessed"; VERIFY-ON-ROUTER T2: what an unknown
  name renders as (empty is our assumption; a router might leave the text as written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus

__all__ = ["Rendered", "TemplateError", "escape", "render", "render_response"]

_OPEN = "$("


class TemplateError(ValueError):
    """A `$(…)` directive is unterminated or an if-block is unbalanced."""


@dataclass
class Rendered:
    """A page after substitution: body, the HTTP status set by `http-status` (or None)
    and the headers set by `http-header`, in order, last value per name."""

    body: str
    status: tuple[int, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def escape(value: str) -> str:
    """The `-esc` form of a value: form-URL-encoding ("123&456=1 2" → "123%26456%3D1+2")."""
    return quote_plus(value, safe="")


def render(template: str, variables: Mapping[str, str]) -> str:
    """Substitute `template` as the hotspot servlet does; returns the page text.
    Raises TemplateError on an unterminated `$(` or unbalanced if/elif/else/endif."""
    return render_response(template, variables).body


def render_response(template: str, variables: Mapping[str, str]) -> Rendered:
    """Like `render`, also returning the status line and headers the page sets."""
    tokens = _tokenize(template)
    out = Rendered(body="")
    out.body = _Evaluator(tokens, variables, out).run()
    return out


def _tokenize(template: str) -> list[tuple[str, str]]:
    """Split into ("text", …) and ("cmd", directive) tokens. A `)` inside quotes does not end
    a directive (the manual's user-agent example has parentheses inside its quoted value)."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while True:
        start = template.find(_OPEN, pos)
        if start < 0:
            tokens.append(("text", template[pos:]))
            return tokens
        tokens.append(("text", template[pos:start]))
        index, quote = start + 2, ""
        while index < len(template):
            char = template[index]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == ")":
                break
            index += 1
        else:
            raise TemplateError(f"unterminated $( at offset {start}")
        tokens.append(("cmd", template[start + 2 : index].strip()))
        pos = index + 1


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _split_condition(condition: str) -> tuple[str, str | None, str]:
    """'name == value' → (name, '==', value); 'name' → (name, None, '')."""
    for operator in ("==", "!="):
        name, found, value = condition.partition(operator)
        if found:
            return name.strip(), operator, _unquote(value)
    return condition.strip(), None, ""


class _Evaluator:
    """Walks the tokens once; a stack of frames tracks if-blocks (nesting)."""

    def __init__(self, tokens, variables: Mapping[str, str], out: Rendered) -> None:
        self.tokens = tokens
        self.variables = variables
        self.out = out

    def lookup(self, name: str) -> str:
        if name in self.variables:
            return str(self.variables[name])
        if name.endswith("-esc"):
            return escape(str(self.variables.get(name[: -len("-esc")], "")))
        return ""  # VERIFY-ON-ROUTER T2: unknown names render empty

    def test(self, condition: str) -> bool:
        name, operator, value = _split_condition(condition)
        current = self.lookup(name)
        if operator == "==":
            return current == value
        if operator == "!=":
            return current != value
        return current != ""

    def run(self) -> str:
        body: list[str] = []
        # frame: [parent_emits, branch_taken, emitting, setter]
        stack: list[list] = []
        sink = body
        emitting = True
        for kind, text in self.tokens:
            if kind == "text":
                if emitting:
                    sink.append(text)
                continue
            word, _, rest = text.partition(" ")
            if word == "if":
                setter = self._setter(rest)
                if setter is not None:
                    stack.append([emitting, True, emitting, setter, sink])
                    sink = setter[2]
                    continue
                taken = emitting and self.test(rest)
                stack.append([emitting, taken, taken, None, sink])
                emitting = taken
            elif word in ("elif", "else", "endif"):
                if not stack:
                    raise TemplateError(f"$({word}) without $(if)")
                frame = stack[-1]
                if word == "endif":
                    stack.pop()
                    emitting = frame[0]
                    if frame[3] is not None:
                        self._apply(frame[3], frame[0])
                    sink = frame[4]
                    continue
                if frame[3] is not None:
                    raise TemplateError("$(elif)/$(else) inside an http-status/http-header block")
                take = frame[0] and not frame[1] and (word == "else" or self.test(rest))
                frame[1] = frame[1] or take
                emitting = take
            elif emitting:
                sink.append(self.lookup(text))
        if stack:
            raise TemplateError("$(if) without $(endif)")
        return "".join(body)

    def _setter(self, condition: str) -> tuple[str, str, list[str]] | None:
        name, operator, value = _split_condition(condition)
        if operator == "==" and name in ("http-status", "http-header"):
            return (name, value, [])
        return None

    def _apply(self, setter: tuple[str, str, list[str]], active: bool) -> None:
        if not active:
            return
        name, value, parts = setter
        text = "".join(parts)
        if name == "http-status":
            self.out.status = (int(value), text)
        else:
            self.out.headers[value] = text
