"""Every colour the app chooses itself (beyond the palette), defined once, as #rrggbb strings.

Each reads on both light and dark backgrounds or comes as a light/dark pair; the category colours of the blocks
are the catalogue's (core.catalogue.Category.colour). Plain strings, no Qt, so text-only modules can use them.
"""

from __future__ import annotations

ERROR = "#D62F2F"
WARNING = "#C77C00"
"""Severity colours: a problem that stops the network, and one that does not."""
RUN = "#1E8F4E"
"""The Run button's green."""
SKIP_LIGHT, SKIP_DARK = "#0072B2", "#4BA8E8"
"""Skip connections: the residual blue (Okabe-Ito), lightened on dark backgrounds to keep its contrast."""
GLOW_LIGHT, GLOW_DARK = "#2BB673", "#43D18B"
"""A port that would accept the link being dragged."""
PLAIN = "#9AA0A6"
"""Networks with their skip connections off (the plain twins)."""
ON_DARK = "#FFFFFF"
ON_LIGHT = "#111111"
"""Text and marks drawn on a coloured header or badge, whichever contrasts more."""
SERIES_LIGHT = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
SERIES_DARK = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7")
"""Plot series in order (Okabe-Ito): the first for means and bars, the second for spreads, then others."""
GRADIENT_SMALL_LIGHT, GRADIENT_SMALL_DARK = "#0072B2", "#56B4E9"
GRADIENT_LARGE = "#D55E00"
"""The gradient tint of the canvas cards: a block whose gradient is far smaller than the last block's (vanishing)
in blue, far larger (exploding) in vermillion (Okabe-Ito)."""
EMPHASIS = "#CC79A7"
"""A highlighted part of a plot (the zeros in a histogram)."""
DIFFERENCE = "#CC79A7"
"""A block that differs from the network it is compared with (a dashed ring around its card)."""


def series(dark: bool) -> tuple[str, ...]:
    """The plot series colours for a light or dark background."""
    return SERIES_DARK if dark else SERIES_LIGHT
