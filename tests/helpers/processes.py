"""What Linux says of a running process (``/proc``), for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path


def resident_kib(pid: int) -> int:
    """The process's resident memory (``VmRSS``) in KiB; 0 if it has none (a zombie)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
