"""taskgate: git hooks and a CI gate that enforce a lead/coder-agent workflow."""

__version__ = "0.1.0"
