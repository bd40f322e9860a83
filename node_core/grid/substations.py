"""The substations the simulator models: EGAT transmission, MEA metro, PEA provincial.

Names are real Thai substations or towns with substations; voltages are each one's highest
nominal level. ``load_weight`` is the substation's relative share of its area's demand (bulk
500 kV substations carry more than a 22 kV distribution substation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Area = Literal["north", "northeast", "central", "south", "bangkok"]
AREAS: Final[tuple[Area, ...]] = ("north", "northeast", "central", "south", "bangkok")


@dataclass(frozen=True, slots=True)
class Substation:
    """One substation of the simulated grid."""

    substation_id: str
    """Stable id used as the telemetry series key, e.g. ``EGAT-BSI-500``."""
    name: str
    """Human name, e.g. ``Bang Sai 500 kV``."""
    region: str
    """Owning authority: ``EGAT``, ``MEA`` or ``PEA``."""
    nominal_kv: float
    """Nominal voltage in kV."""
    area: Area
    """Geographic area whose demand the substation serves."""
    load_weight: float
    """Relative share of the area's demand flowing through this substation."""


def _s(sid: str, name: str, kv: float, area: Area, weight: float) -> Substation:
    region = sid.split("-", 1)[0]
    return Substation(sid, f"{name} {kv:g} kV", region, kv, area, weight)


SUBSTATIONS: Final[tuple[Substation, ...]] = (
    # EGAT 500 kV backbone
    _s("EGAT-BSI-500", "Bang Sai", 500, "central", 6.0),
    _s("EGAT-TTK-500", "Tha Tako", 500, "north", 5.0),
    _s("EGAT-CBG-500", "Chom Bueng", 500, "central", 5.0),
    _s("EGAT-SRT-500", "Surat Thani", 500, "south", 5.0),
    _s("EGAT-NCK-500", "Nong Chok", 500, "bangkok", 6.0),
    _s("EGAT-WNI-500", "Wang Noi", 500, "central", 6.0),
    _s("EGAT-MMO-500", "Mae Moh 3", 500, "north", 5.0),
    _s("EGAT-RET-500", "Roi Et 2", 500, "northeast", 4.0),
    _s("EGAT-NPG-500", "Nam Phong 2", 500, "northeast", 4.0),
    _s("EGAT-PLD-500", "Pluak Daeng", 500, "central", 5.0),
    _s("EGAT-BSP-500", "Bang Saphan 2", 500, "central", 3.0),
    _s("EGAT-RBR-500", "Ratchaburi", 500, "central", 4.0),
    _s("EGAT-UBN-500", "Ubon Ratchathani 2", 500, "northeast", 3.0),
    _s("EGAT-PSL-500", "Phitsanulok 3", 500, "north", 3.0),
    _s("EGAT-SNI-500", "Sai Noi", 500, "bangkok", 5.0),
    _s("EGAT-KKI-500", "Kaeng Khoi 2", 500, "central", 4.0),
    # EGAT 230 kV: the southern network and its ties
    _s("EGAT-KNM-230", "Khanom", 230, "south", 3.0),
    _s("EGAT-KBI-230", "Krabi", 230, "south", 2.5),
    _s("EGAT-HYI-230", "Hat Yai 2", 230, "south", 3.0),
    _s("EGAT-PKT-230", "Phuket 3", 230, "south", 3.0),
    _s("EGAT-TSG-230", "Thung Song", 230, "south", 2.0),
    _s("EGAT-CPN-230", "Chumphon", 230, "south", 2.0),
    # MEA: Bangkok metropolitan
    _s("MEA-BKP-115", "Bang Kapi", 115, "bangkok", 2.0),
    _s("MEA-CDL-69", "Chidlom", 69, "bangkok", 1.5),
    _s("MEA-LPR-115", "Lat Phrao", 115, "bangkok", 2.0),
    _s("MEA-BKN-115", "Bang Khen", 115, "bangkok", 2.0),
    _s("MEA-TBR-115", "Thon Buri", 115, "bangkok", 2.0),
    _s("MEA-BPL-115", "Bang Phli", 115, "bangkok", 2.0),
    _s("MEA-SSN-69", "Sam Sen", 69, "bangkok", 1.5),
    _s("MEA-KTY-69", "Khlong Toei", 69, "bangkok", 1.5),
    _s("MEA-PTW-24", "Pathum Wan", 24, "bangkok", 1.0),
    _s("MEA-YNW-69", "Yan Nawa", 69, "bangkok", 1.5),
    _s("MEA-BSU-115", "Bang Sue", 115, "bangkok", 2.0),
    _s("MEA-RBN-115", "Rat Burana", 115, "bangkok", 1.5),
    _s("MEA-SKV-12", "Sukhumvit", 12, "bangkok", 0.5),
    _s("MEA-SLM-24", "Silom", 24, "bangkok", 1.0),
    _s("MEA-MNB-115", "Min Buri", 115, "bangkok", 1.5),
    # PEA: provincial distribution
    _s("PEA-CMI-115", "Chiang Mai", 115, "north", 2.0),
    _s("PEA-CRI-115", "Chiang Rai", 115, "north", 1.5),
    _s("PEA-LPG-33", "Lampang", 33, "north", 1.0),
    _s("PEA-KKN-33", "Khon Kaen", 33, "northeast", 1.0),
    _s("PEA-UDN-115", "Udon Thani", 115, "northeast", 1.5),
    _s("PEA-NMA-115", "Nakhon Ratchasima", 115, "northeast", 2.0),
    _s("PEA-UBN-22", "Ubon Ratchathani", 22, "northeast", 0.8),
    _s("PEA-HYI-22", "Hat Yai", 22, "south", 0.8),
    _s("PEA-PKT-115", "Phuket", 115, "south", 1.5),
    _s("PEA-SNI-33", "Surat Thani", 33, "south", 1.0),
    _s("PEA-NST-115", "Nakhon Si Thammarat", 115, "south", 1.5),
    _s("PEA-PTY-115", "Pattaya", 115, "central", 2.0),
    _s("PEA-RYG-22", "Rayong", 22, "central", 1.0),
    _s("PEA-AYA-22", "Ayutthaya", 22, "central", 1.0),
    _s("PEA-PSL-33", "Phitsanulok", 33, "north", 1.0),
)
"""52 substations; ``SUBSTATIONS[:50]`` is the benchmark set."""


def substation_by_id(substation_id: str) -> Substation:
    """The substation with ``substation_id``; ``KeyError`` if unknown."""
    for substation in SUBSTATIONS:
        if substation.substation_id == substation_id:
            return substation
    raise KeyError(substation_id)
