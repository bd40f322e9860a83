"""Wall-clock time as the chain stores it: integer milliseconds since the epoch, UTC."""

import time


def now_ms() -> int:
    return time.time_ns() // 1_000_000
