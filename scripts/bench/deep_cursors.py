#!/usr/bin/env python3
"""Write the deep-page cursors for bench.sh and check them against the server's own.

Usage: deep_cursors.py BASE_URL TOKEN LEADS POSITION SPREAD OUT_FILE

The seeded leads (seed_leads.*.sql) are listed newest first (the default sort, -created_at),
so row n is at position LEADS - n + 1, and the cursor after POSITION rows is the one of row
n0 = LEADS - POSITION + 1. This script follows next_cursor from the first page (limit=200)
until POSITION rows have been listed, checks that the server's cursor there carries what
ours does, then writes the cursors of rows n0 - SPREAD .. n0 + SPREAD to OUT_FILE, one a line.
It prints "lo hi", the row numbers those cursors are after, on stdout.
"""

import base64
import datetime
import json
import sys
import urllib.parse
import urllib.request

BASE_TIME = datetime.datetime(2025, 1, 1)


def lead_id(n: int) -> str:
    return f"0190a000-0000-7000-8000-{n:012d}"


def created_at(n: int) -> datetime.datetime:
    return BASE_TIME + datetime.timedelta(seconds=n * 300 + (n * 7919) % 300)


def cursor_of(n: int) -> dict:
    return {"s": "-created_at", "v": [created_at(n).isoformat()], "id": lead_id(n)}


def encode(cursor: dict) -> str:
    raw = json.dumps(cursor, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def get(base: str, token: str, query: dict) -> dict:
    url = f"{base}/api/v1/leads?{urllib.parse.urlencode(query)}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)


def main() -> int:
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    leads, position, spread, out = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    n0 = leads - position + 1
    lo, hi = n0 - spread, n0 + spread
    if lo <= 50 or hi > leads:
        print(f"position {position} and spread {spread} do not fit in {leads} leads", file=sys.stderr)
        return 2

    seen, cursor, page = 0, None, None
    while seen < position:
        query = {"limit": min(200, position - seen)}
        if cursor:
            query["cursor"] = cursor
        page = get(base, token, query)
        seen += len(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            print(f"the list ended after {seen} leads, before position {position}", file=sys.stderr)
            return 1
    last = page["data"][-1]
    if last["id"] != lead_id(n0) or decode(cursor) != cursor_of(n0):
        print(f"row {position} of the list is {last['id']} with cursor {decode(cursor)};"
              f" expected {lead_id(n0)} with {cursor_of(n0)}", file=sys.stderr)
        return 1
    following = get(base, token, {"limit": 50, "cursor": encode(cursor_of(hi))})["data"]
    if [item["id"] for item in following[:2]] != [lead_id(hi - 1), lead_id(hi - 2)]:
        print(f"the page after row {hi} does not start with rows {hi - 1}, {hi - 2}", file=sys.stderr)
        return 1

    with open(out, "w", encoding="ascii") as f:
        for n in range(lo, hi + 1):
            f.write(encode(cursor_of(n)) + "\n")
    print(lo, hi)
    return 0


if __name__ == "__main__":
    sys.exit(main())
