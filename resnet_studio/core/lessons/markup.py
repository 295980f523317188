"""Lesson markup to Qt rich text: paragraphs, **bold**, *italic*, and formulas between $...$ drawn with Unicode
math, italic letters, subscripts and superscripts (never shown as raw source).

Formula syntax: letters (one letter is a variable, set in italics; a longer word such as ReLU stays upright),
digits and operators as typed, `_` and `^` for a sub- or superscript of the next character or {group}, `->`
for an arrow, `\\|` for a norm's double bar, and `\\name` for a symbol (`\\lambda`, `\\partial`, `\\approx`, `\\cdot`, ...: see SYMBOLS).
"""

from __future__ import annotations

import html
import re

SYMBOLS: dict[str, str] = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "Delta": "Δ",
    "epsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "sigma": "σ",
    "Sigma": "Σ",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "cdot": "·",
    "times": "×",
    "approx": "≈",
    "le": "≤",
    "ge": "≥",
    "ne": "≠",
    "ll": "≪",
    "gg": "≫",
    "to": "→",
    "infty": "∞",
    "in": "∈",
    "ell": "ℓ",
    "odot": "⊙",
    "prime": "′",
    "quad": "\u2003",
}
"""The named symbols a formula may use, as `\\name`."""

_OPERATORS = {"-": "\u2212", "*": "\u00b7"}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


class MarkupError(ValueError):
    """Text that is not valid lesson markup (an unclosed $, an unknown symbol, a stray brace)."""


def formula_html(source: str) -> str:
    """A formula as rich text: 'H(x) = F(x) + W_s x' with italic letters and a subscript s."""
    html_text, rest = _math(source.strip(), 0, closing=None)
    if rest != len(source.strip()):
        raise MarkupError(f"an unmatched '}}' in the formula {source!r}")
    return html_text


def paragraph_html(text: str) -> str:
    """One paragraph: escaped text with **bold**, *italic* and $formulas$."""
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise MarkupError(f"a '$' without its closing '$' in {_quote(text)}")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<span style='white-space:nowrap'>{formula_html(part)}</span>")
        else:
            if "\\" in part:
                raise MarkupError(f"a backslash outside a $formula$ in {_quote(text)}")
            escaped = html.escape(part, quote=False)
            escaped = _BOLD.sub(r"<b>\1</b>", escaped)
            out.append(_ITALIC.sub(r"<i>\1</i>", escaped))
    return "".join(out)


def _quote(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _math(s: str, i: int, closing: str | None) -> tuple[str, int]:
    """Render s[i:] up to `closing` (or the end); returns the HTML and where it stopped."""
    out: list[str] = []
    while i < len(s):
        c = s[i]
        if c == closing:
            return "".join(out), i
        if c == "}":
            raise MarkupError(f"an unmatched '}}' in the formula {s!r}")
        if c in "_^":
            inner, i = _operand(s, i + 1)
            tag = "sub" if c == "_" else "sup"
            out.append(f"<{tag}>{inner}</{tag}>")
            continue
        piece, i = _atom(s, i)
        out.append(piece)
    if closing is not None:
        raise MarkupError(f"a '{{' without its '}}' in the formula {s!r}")
    return "".join(out), i


def _operand(s: str, i: int) -> tuple[str, int]:
    """The sub- or superscript after _ or ^: a {group} or one atom."""
    if i >= len(s) or s[i] in " _^}":
        raise MarkupError(f"'_' or '^' needs something after it in the formula {s!r}")
    if s[i] == "{":
        inner, end = _math(s, i + 1, closing="}")
        return inner, end + 1
    if s[i].isalpha():  # one letter only: W_sx is W with subscript s, then x
        return f"<i>{html.escape(s[i])}</i>", i + 1
    return _atom(s, i)


def _atom(s: str, i: int) -> tuple[str, int]:
    c = s[i]
    if s.startswith("\\|", i):
        return "\u2016", i + 2  # a norm's double bar
    if c == "\\":
        match = re.match(r"[A-Za-z]+", s[i + 1 :])
        name = match.group(0) if match else ""
        if name not in SYMBOLS:
            known = ", ".join(sorted(SYMBOLS))
            raise MarkupError(f"unknown symbol '\\{name}' in the formula {s!r} (known: {known})")
        return SYMBOLS[name], i + 1 + len(name)
    if c == "{":
        inner, end = _math(s, i + 1, closing="}")
        return inner, end + 1
    if c.isalpha():
        match = re.match(r"[A-Za-z]+", s[i:])
        word = match.group(0) if match else c
        if len(word) == 1:
            return f"<i>{html.escape(word)}</i>", i + 1
        return html.escape(word), i + len(word)
    if s.startswith("->", i):
        return "\u2192", i + 2
    if c == "$":
        raise MarkupError(f"a '$' inside the formula {s!r}")
    return html.escape(_OPERATORS.get(c, c), quote=False), i + 1


__all__ = ["SYMBOLS", "MarkupError", "formula_html", "paragraph_html"]
