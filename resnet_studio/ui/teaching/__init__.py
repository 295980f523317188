"""The teaching jobs behind the Gradients and Race docks: each runs one worker at a time, off the GUI thread."""
