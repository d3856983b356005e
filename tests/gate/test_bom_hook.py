"""TG404 through the real hooks on a Python file that starts with a UTF-8 byte-order
mark: Python runs it, so taskgate judges it (issue 14; tests/integrity/test_codec_dodges.py
has the coding-declaration dodges)."""

from __future__ import annotations

from tests.conftest import GitRepo
from tests.gate.support import CODER, MODULE, gate_findings

BOM = b"\xef\xbb\xbf"


def test_bom_file_without_annotations_is_rejected_by_the_hook(stub_gate_repo: GitRepo) -> None:
    path = f"{MODULE}/app/extra.py"
    stub_gate_repo.write(path, BOM + b"VALUE = 1\n\n\ndef twice(x):\n    return 2 * x\n")
    stub_gate_repo.add(path)
    proc = stub_gate_repo.commit(CODER)
    assert proc.returncode == 1
    assert gate_findings(proc.stderr) == [("TG404", path)]
    assert f"{path}:4: `twice` is not fully annotated" in proc.stderr


def test_bom_file_with_annotations_passes_the_hook(stub_gate_repo: GitRepo) -> None:
    path = f"{MODULE}/app/extra.py"
    stub_gate_repo.write(
        path, BOM + b"VALUE = 1\n\n\ndef twice(x: int) -> int:\n    return 2 * x\n"
    )
    stub_gate_repo.add(path)
    proc = stub_gate_repo.commit(CODER)
    assert gate_findings(proc.stderr) == []
    assert proc.returncode == 0, proc.stderr
