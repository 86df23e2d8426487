"""Service levels of every channel in one place: a reader above the channels (issue 14)."""
