"""Shared fixtures. No test touches the network: outbound connections are refused here."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

# property tests: the same examples on every run (CI never flakes); HYPOTHESIS_PROFILE=explore
# draws new random examples for a local bug hunt
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path | None:
    env = os.environ.get("ANALYSIS_SHARED_DIR")
    path = Path(env) if env else ROOT.parent / "shared"
    return path if (path / "data" / "prices").is_dir() else None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only project material (../shared); the Makefile and CI provide it."""
    path = _shared()
    if path is None:
        pytest.skip("../shared is not beside the clone (set ANALYSIS_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def prices_dir(shared_dir: Path) -> Path:
    """The real offline price snapshot (../shared/data/prices)."""
    return shared_dir / "data" / "prices"


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in ("localhost", "::1") or host.startswith("127.")
                                  or self.family == getattr(socket, "AF_UNIX", None)):
        return _real_connect(self, address)
    raise OSError(f"tests must not touch the network (tried to connect to {address!r})")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield
