"""Drag-and-drop formats shared by the palette (source) and the canvas (target)."""

BLOCK_MIME = "application/x-resnet-studio-block"
"""Payload: the block type name, UTF-8 (e.g. b'Bottleneck')."""

PRESET_MIME = "application/x-resnet-studio-preset"
"""Payload: the preset name, UTF-8 (e.g. b'resnet18')."""

FRAGMENT_MIME = "application/x-resnet-studio-fragment"
"""Clipboard payload for copied nodes: a project-file JSON document holding just the fragment."""
