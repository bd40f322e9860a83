"""The consensus engine's timers (the node configuration's ``[consensus]``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsensusConfig:
    round_timeout_ms: int = 2000
    """Timeout of round 0; doubles each round."""
    max_round_timeout_ms: int = 10_000
    """The cap: no round waits longer."""
    retransmit_ms: int = 1000
    """Re-broadcast own messages of an undecided height this often."""
    commit_grace_ms: int = 100
    """After a quorum of commits, wait this long for the remaining authorities' seals so the
    final block records everyone who signed (consensus_health reads it from the chain)."""

    def timeout(self, round: int) -> int:
        return min(self.round_timeout_ms << min(round, 30), self.max_round_timeout_ms)
