"""The lead's workflow files: module map, task board, plan."""
