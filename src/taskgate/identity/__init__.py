"""Verified identity (SPEC §10.4): SSH-signed commits name their actor.

`sshsig` parses and verifies git's SSH signatures in process, `signers` reads git's
allowed-signers format, `verdict` turns both into the actor of a commit and the TG7xx
findings, `agents` holds the lead's `taskgate agent add|worktree|list` commands.
Nothing here is imported in claimed mode.
"""
