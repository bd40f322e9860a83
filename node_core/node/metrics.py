"""What a node counts about itself, and the percentile it reports them with."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class NodeMetrics:
    """What the node counts, for status and the console."""

    tx_finalized: int = 0
    finality_ms: deque[int] = field(default_factory=lambda: deque(maxlen=20_000))
    """Submission (first seen here) to final, per transaction: the newest 20,000."""
    equivocations: int = 0
    last_block_ms: int = 0


def percentile(values: list[int], share: float) -> int | None:
    """The value at ``share`` (0..1) of ``values`` sorted (nearest rank); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def finality_lag_blocks(summary: Mapping[str, Any]) -> int:
    """Final heights a node is behind its furthest peer, from its ``status_summary``."""
    heights = [p["height"] for p in summary.get("peers", ()) if p.get("height")]
    return max(0, max(heights, default=0) - int(summary["height"]))
