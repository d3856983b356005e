"""The validated-blobs key spells its context out: a plain comparison, one ASCII line."""

from __future__ import annotations

from pathlib import Path

from taskgate.workflow.blobcache import ValidatedBlobs, blob_key

OID = "0123456789abcdef0123456789abcdef01234567"


def test_different_contexts_give_different_keys() -> None:
    keys = {
        blob_key(OID, "tasks", ["python", "web"]),
        blob_key(OID, "tasks", ["web", "python"]),
        blob_key(OID, "tasks", ["python,web"]),
        blob_key(OID, "tasks", ["python"]),
        blob_key(OID, "tasks", []),
        blob_key(OID, "structure", ["python", "web"]),
    }
    assert len(keys) == 6


def test_hostile_context_stays_one_ascii_line(tmp_path: Path) -> None:
    context = ["a\nb", "é", "x\udcff", 'q"uote', "tab\t"]
    key = blob_key(OID, "tasks", context)
    assert key.isascii()
    assert "\n" not in key
    cache = ValidatedBlobs(tmp_path / "validated-blobs")
    cache.add(key)
    cache.save()
    again = ValidatedBlobs(tmp_path / "validated-blobs")
    assert key in again
    assert blob_key(OID, "tasks", ["a", "b", "é", "x\udcff", 'q"uote', "tab\t"]) not in again
