"""The campaign's memory: Hypothesis' example database, shared through the client, and what earlier runs did.

Workers never open the database themselves, so it needs to be reachable from the client only (a directory on
the machine that runs ``nc-verify fuzz``), however far away the workers are: each task starts from a
snapshot of its claim's entries (:class:`SnapshotDatabase`, shipped with the task), and returns what
Hypothesis saved or deleted, which the client applies to the directory (:class:`CampaignStore`). Hypothesis'
``reuse`` phase replays the saved failures of a claim first, so a second run starts with every failure of the
first; the store also keeps, per claim, how many tasks earlier runs did, so a second run with the same seed
draws new points instead of the same ones again (``--fresh`` starts over).

Keys are prefixed with the claim id: the probe of every claim is one function, whose Hypothesis key alone
would mix the claims' entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase


def _prefix(claim_id: str) -> bytes:
    return claim_id.encode() + b"\x00"


class SnapshotDatabase(ExampleDatabase):
    """An in-memory database for one task: starts from the snapshot, records every change."""

    def __init__(self, claim_id: str, entries: Mapping[bytes, Iterable[bytes]]):
        super().__init__()
        self.prefix = _prefix(claim_id)
        self.data: dict[bytes, set[bytes]] = {k: set(v) for k, v in entries.items()}
        self.saved: list[tuple[bytes, bytes]] = []
        self.deleted: list[tuple[bytes, bytes]] = []

    def fetch(self, key: bytes):
        yield from sorted(self.data.get(self.prefix + key, ()))  # sorted: the same replay order everywhere

    def save(self, key: bytes, value: bytes) -> None:
        k = self.prefix + key
        if value not in self.data.setdefault(k, set()):
            self.data[k].add(value)
            self.saved.append((k, value))

    def delete(self, key: bytes, value: bytes) -> None:
        k = self.prefix + key
        if value in self.data.get(k, set()):
            self.data[k].discard(value)
            self.deleted.append((k, value))

    def _start_listening(self) -> None:  # no other process writes to a snapshot
        pass

    def _stop_listening(self) -> None:
        pass


class CampaignStore:
    """A directory holding Hypothesis' entries (``examples/``) and the campaign's state (``campaign.json``)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.examples = DirectoryBasedExampleDatabase(str(self.directory / "examples"))
        self._state_file = self.directory / "campaign.json"
        self._keys_file = self.directory / "keys.json"
        self.state = json.loads(self._state_file.read_text()) if self._state_file.exists() else {}
        self._keys: dict[str, list[str]] = json.loads(self._keys_file.read_text()) if self._keys_file.exists() else {}

    def snapshot(self, claim_id: str) -> dict[bytes, tuple[bytes, ...]]:
        """Every entry of ``claim_id`` (the directory database cannot list keys: we keep them in keys.json)."""
        out = {}
        for hex_key in self._keys.get(claim_id, []):
            key = bytes.fromhex(hex_key)
            values = tuple(sorted(self.examples.fetch(key)))
            if values:
                out[key] = values
        return out

    def apply(self, claim_id: str, saved, deleted) -> None:
        keys = self._keys.setdefault(claim_id, [])
        for key, value in saved:
            self.examples.save(key, value)
            if key.hex() not in keys:
                keys.append(key.hex())
        for key, value in deleted:
            self.examples.delete(key, value)
        self._keys_file.write_text(json.dumps(self._keys, indent=1, sort_keys=True))

    def next_task(self, claim_id: str, seed: int) -> int:
        """How many tasks earlier runs with this seed did for the claim (the next run starts after them)."""
        return int(self.state.get(f"{seed}:{claim_id}", 0))

    def record(self, claim_id: str, seed: int, tasks_done: int, counterexamples: list[dict]) -> None:
        self.state[f"{seed}:{claim_id}"] = tasks_done
        known = self.state.setdefault("counterexamples", [])
        for c in counterexamples:
            if c not in known:
                known.append(c)
        self._state_file.write_text(json.dumps(self.state, indent=1, sort_keys=True))
