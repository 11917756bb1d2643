#!/usr/bin/env python3
"""Time N sequential GET requests (after 3 warm-ups), with the standard library only.

Usage: bench_latency.py URL TOKEN COUNT

Prints one line on stdout: "p50_ms p99_ms min_ms max_ms mean_ms" (nearest-rank
percentiles). Exits non-zero on any non-200 answer.
"""

import math
import statistics
import sys
import time
import urllib.request


def fetch(url: str, token: str) -> None:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {url}: {resp.status}")


def percentile(sorted_ms, p):
    rank = max(1, math.ceil(p / 100 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for _ in range(3):
        fetch(url, token)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        fetch(url, token)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(
        f"{percentile(samples, 50):.1f} {percentile(samples, 99):.1f} "
        f"{samples[0]:.1f} {samples[-1]:.1f} {statistics.mean(samples):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
