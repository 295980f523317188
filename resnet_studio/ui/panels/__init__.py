"""The panels around the canvas: palette, inspector, problems, summary and the run-settings bar."""
