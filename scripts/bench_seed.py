#!/usr/bin/env python3
"""Create N leads through the public API, concurrently, with the standard library only.

Usage: bench_seed.py BASE_URL TOKEN COUNT [THREADS]

Prints the id of one created lead on stdout; progress and errors go to stderr.
Exits non-zero if any lead could not be created.
"""

import concurrent.futures
import json
import sys
import time
import urllib.error
import urllib.request

RETRYABLE = {429, 503}
MAX_ATTEMPTS = 5


def lead_body(i: int) -> bytes:
    return json.dumps(
        {
            "name": f"Lead {i}",
            "company": f"Company {i}",
            "email": f"lead{i}@example.com",
            "phone": f"+86 138 0000 {i:04d}",
            "source": "web",
        }
    ).encode()


def create_lead(base: str, token: str, i: int) -> str:
    url = f"{base}/api/v1/leads?allow_duplicate=true"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        req = urllib.request.Request(
            url,
            data=lead_body(i),
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                if resp.status != 201:
                    raise RuntimeError(f"lead {i}: expected 201, got {resp.status}")
                return json.load(resp)["id"]
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")[:500]
            if err.code in RETRYABLE and attempt < MAX_ATTEMPTS:
                delay = float(err.headers.get("Retry-After") or attempt)
                time.sleep(min(delay, 10.0))
                continue
            raise RuntimeError(f"lead {i}: HTTP {err.code}: {detail}") from None
    raise RuntimeError(f"lead {i}: gave up after {MAX_ATTEMPTS} attempts")


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    base, token, count = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
    threads = int(sys.argv[4]) if len(sys.argv) == 5 else 8

    started = time.monotonic()
    ids = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(create_lead, base, token, i) for i in range(1, count + 1)]
        try:
            for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
                ids.append(fut.result())
                if n % 1000 == 0:
                    print(f"  created {n}/{count} leads", file=sys.stderr)
        except Exception as err:  # first failure stops the run
            for f in futures:
                f.cancel()
            print(f"ERROR: {err}", file=sys.stderr)
            return 1

    elapsed = time.monotonic() - started
    print(
        f"  created {len(ids)} leads in {elapsed:.1f} s ({len(ids) / elapsed:.0f}/s)",
        file=sys.stderr,
    )
    # A lead from the middle of the data set, not the first or last row.
    print(ids[len(ids) // 2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
