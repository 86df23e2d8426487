"""Views of the agent desk: thin — parse input, call a service or selector, render."""
