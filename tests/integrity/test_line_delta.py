"""The added/removed line computation every integrity rule stands on (property tests)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from taskgate.rules.changedlines import added_text, line_delta
from tests.support.memory import make_change

LINES = st.lists(st.sampled_from(["a", "b", "", "x = 1", "    pass", "def f():"]), max_size=14)


def texts(lines: list[str], newline: bool) -> str:
    return "\n".join(lines) + ("\n" if newline and lines else "")


@given(LINES, LINES, st.booleans(), st.booleans())
def test_delta_is_a_multiset_difference(
    old: list[str], new: list[str], old_nl: bool, new_nl: bool
) -> None:
    before, after = texts(old, old_nl), texts(new, new_nl)
    change = make_change({"f.py": before} if before else {}, {"f.py": after} if after else {})
    if not change.files:
        return
    delta = line_delta(change, change.files[0])
    after_lines = after.split("\n") if after else []
    before_lines = before.split("\n") if before else []
    # Every line not reported as added is matched by its own line of the before side...
    kept = Counter(line for n, line in enumerate(after_lines, 1) if n not in delta.added)
    assert not kept - Counter(before_lines)
    # ...and no more lines are reported than the multiset difference requires.
    assert len(delta.added) == sum((Counter(after_lines) - Counter(before_lines)).values())
    assert delta.removed == Counter(
        t
        for t in (
            line.strip() for line in (Counter(before_lines) - Counter(after_lines)).elements()
        )
        if t
    )
    assert [n for n, _ in delta.lines] == sorted(delta.added)
    assert all(after_lines[n - 1] == text for n, text in delta.lines)
    if before:
        assert added_text(change, change.files[0]) == "\n".join(t for _, t in delta.lines)


def test_an_edit_in_the_middle_is_found_at_its_line() -> None:
    before = "".join(f"line {i}\n" for i in range(100))
    after = before.replace("line 50\n", "line 50\nnew\n")
    change = make_change({"f.py": before}, {"f.py": after})
    delta = line_delta(change, change.files[0])
    assert delta.lines == ((52, "new"),)
    assert delta.removed == Counter()
