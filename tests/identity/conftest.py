"""Keys made once per session with the real ssh-keygen (ed25519; the oracle test adds more)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity.support import AGENTS, keygen


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name → private key path: the four agents of the module map, and a stranger."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: keygen(folder / name) for name in (*AGENTS, "stranger")}
