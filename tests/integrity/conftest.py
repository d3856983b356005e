"""Every rule test built on `memory.make_change` runs twice: with the rules reading both
sides of each file, and with git's added and removed lines attached as a hook has them
(the lines may only let a rule skip a file, so every finding must be the same)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import memory


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if getattr(metafunc.module, "make_change", None) is memory.make_change:
        metafunc.fixturenames.append("line_source")
        metafunc.parametrize("line_source", ["read", "git-lines"], indirect=True)


@pytest.fixture
def line_source(request: pytest.FixtureRequest) -> Iterator[str]:
    memory.WITH_GIT_LINES = request.param == "git-lines"
    try:
        yield request.param
    finally:
        memory.WITH_GIT_LINES = False
