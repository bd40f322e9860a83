"""The grid snapshot a proposer attests in each block, and its hash.

The block header carries ``grid_state_hash``; the block body carries the snapshot itself,
so every node can recompute the hash and the explorer can show what was attested. Until a
grid source is connected, proposers attest :data:`EMPTY_GRID_SNAPSHOT`, whose hash is
``SHA-256("GTX/grid" || 01 || u64 0 || u64 0 || u32 0)`` (see :mod:`node_core.ledger.encoding`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from node_core.ledger.encoding import Reader, Writer, check_u64
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.fields import REGION
from node_core.ledger.hashing import GRID_DOMAIN, tagged_hash
from node_core.ledger.types import REGIONS, Hash32


@dataclass(frozen=True, slots=True)
class RegionLoad:
    """Load and generation of one grid region at snapshot time."""

    region: str
    """One of :data:`node_core.ledger.types.REGIONS`."""
    load_kw: int
    """Demand served in the region, kW."""
    generation_kw: int
    """Generation inside the region, kW."""


@dataclass(frozen=True, slots=True)
class GridSnapshot:
    """System frequency and per-region balance, as attested by the block's proposer."""

    timestamp: int = 0
    """When the snapshot was taken, ms since epoch (UTC); 0 for the empty snapshot."""
    frequency_mhz: int = 0
    """System frequency in mHz (50 Hz = 50_000); 0 when no grid source is connected."""
    regions: tuple[RegionLoad, ...] = ()
    """Per-region figures, in the order of :data:`REGIONS`, each region at most once."""

    def __post_init__(self) -> None:
        check_u64(self.timestamp, "timestamp")
        check_u64(self.frequency_mhz, "frequency_mhz")
        names = [r.region for r in self.regions]
        if names != [r for r in REGIONS if r in names]:
            raise ValueError(f"regions must be distinct and ordered as {REGIONS}: {names}")
        for region in self.regions:
            check_u64(region.load_kw, "load_kw")
            check_u64(region.generation_kw, "generation_kw")

    @property
    def frequency_hz(self) -> float:
        """For display only."""
        return self.frequency_mhz / 1000


EMPTY_GRID_SNAPSHOT: Final = GridSnapshot()


def write_grid_snapshot(writer: Writer, snapshot: GridSnapshot) -> None:
    writer.u8(1).u64(snapshot.timestamp).u64(snapshot.frequency_mhz).u32(len(snapshot.regions))
    for region in snapshot.regions:
        writer.str_(region.region, REGION).u64(region.load_kw).u64(region.generation_kw)


def read_grid_snapshot(reader: Reader) -> GridSnapshot:
    reader.version()
    timestamp, frequency = reader.u64(), reader.u64()
    regions = tuple(
        RegionLoad(reader.str_(REGION), reader.u64(), reader.u64())
        for _ in range(reader.count(len(REGIONS)))
    )
    try:
        return GridSnapshot(timestamp, frequency, regions)
    except ValueError as error:
        raise DecodeError(f"grid snapshot: {error}") from None


def encode_grid_snapshot(snapshot: GridSnapshot) -> bytes:
    writer = Writer()
    write_grid_snapshot(writer, snapshot)
    return bytes(writer)


def grid_state_hash(snapshot: GridSnapshot) -> Hash32:
    """The hash a header commits to."""
    return tagged_hash(GRID_DOMAIN, encode_grid_snapshot(snapshot))


def decode_grid_snapshot(data: bytes) -> GridSnapshot:
    reader = Reader(data)
    snapshot = read_grid_snapshot(reader)
    reader.finish()
    return snapshot
