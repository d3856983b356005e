"""One check for a clean repository-relative path (taskgate.repopath), as its three users
need it: a module's folder (TG310 messages), a policy's paths, a path read from a side."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.repopath import is_tracked_form, path_problem

PATHS = st.text(alphabet=st.sampled_from(["a", "/", ".", "\\", ":", "C", "\n", "\0", "\t"]))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "is empty"),
        (".", "is '.', the whole repository"),
        ("./", "is '.', the whole repository"),
        ("a\\b", "contains a backslash (write paths with '/')"),
        ("/srv/a", "is absolute (write it relative to the repository root)"),
        ("C:/a", "is absolute (write it relative to the repository root)"),
        ("a/", "ends with '/' (drop the trailing slash)"),
        ("a/../b", "contains '..' and so escapes its place in the repository"),
        ("a//b", "is not normalised ('//' or a '.' segment)"),
        ("a/./b", "is not normalised ('//' or a '.' segment)"),
        ("services/api", None),
        ("a\tb", None),  # a module folder may hold one; only a policy path refuses it
    ],
)
def test_a_module_folder_gets_the_reason_it_is_refused(path: str, reason: str | None) -> None:
    assert path_problem(path) == reason


@given(PATHS)
def test_a_tracked_form_has_no_empty_dot_or_dotdot_segment(path: str) -> None:
    segments = path.split("/")
    expected = bool(path) and "\0" not in path and not {"", ".", ".."} & set(segments)
    assert is_tracked_form(path) is expected


@given(PATHS)
def test_a_policy_path_is_clean_once_its_outer_slashes_go(path: str) -> None:
    value = path.strip("/")
    segments = value.split("/")
    clean = (
        bool(value)
        and not {"", ".", ".."} & set(segments)
        and "\\" not in value
        and not any(ch < " " for ch in value)
    )
    assert (path_problem(value, drive_letter=False, control=True) is None) is clean
