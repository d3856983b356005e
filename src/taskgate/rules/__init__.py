"""Rule families: pure functions from a Change and a Policy to findings."""
