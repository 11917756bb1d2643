#!/usr/bin/env python3
"""Set up and time the quote-to-cash writes, with the standard library only.

Usage:
  money.py setup BASE_URL TOKEN          create 10 products and an account; print an order body
                                          with 10 lines (one JSON line) for create_order.lua
  money.py confirm BASE_URL TOKEN COUNT  make one active order, record COUNT pending payments on
                                          it, then confirm them one after another, timing each

`confirm` prints one line on stdout: "p50_ms p99_ms min_ms max_ms mean_ms" (nearest-rank
percentiles, after 3 warm-up confirmations). Any unexpected status exits non-zero.
"""

import json
import math
import statistics
import sys
import time
import urllib.request


def call(method, url, token, body=None, want=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            payload = resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        payload, status = e.read(), e.code
    if status not in want:
        raise RuntimeError(f"{method} {url}: {status} {payload[:300]!r}")
    return json.loads(payload) if payload else None


def order_body(base, token):
    stamp = time.strftime("%Y%m%d%H%M%S")
    products = []
    for i in range(10):
        product = call("POST", f"{base}/api/v1/products", token, {
            "sku": f"BENCH-{stamp}-{i}", "name": f"Bench product {i}", "unit": "unit",
            "list_price": {"amount": 10_000 + i * 137, "currency": "CNY"}, "tax_rate_bps": 1300,
        })
        products.append(product["id"])
    account = call("POST", f"{base}/api/v1/accounts", token, {"name": f"Bench customer {stamp}"})
    lines = [{"product_id": p, "quantity": f"{i + 1}.5", "discount_bps": 100 * i} for i, p in enumerate(products)]
    return {"account_id": account["id"], "currency": "CNY", "lines": lines}


def percentile(sorted_ms, p):
    return sorted_ms[max(1, math.ceil(p / 100 * len(sorted_ms))) - 1]


def confirm(base, token, count):
    body = order_body(base, token)
    body["lines"] = [{"product_id": body["lines"][0]["product_id"], "quantity": "100000", "discount_bps": 0}]
    order = call("POST", f"{base}/api/v1/orders", token, body)
    order = call("POST", f"{base}/api/v1/orders/{order['id']}/submit", token)
    if order["status"] != "active":
        raise RuntimeError(f"the bench order is {order['status']}, not active")
    today = time.strftime("%Y-%m-%d")
    payments = [
        call("POST", f"{base}/api/v1/payments", token, {
            "order_id": order["id"], "amount": {"amount": 100, "currency": "CNY"},
            "received_at": today, "method": "bank_transfer",
        })["id"]
        for _ in range(count + 3)
    ]
    for payment in payments[:3]:
        call("POST", f"{base}/api/v1/payments/{payment}/confirm", token)
    samples = []
    for payment in payments[3:]:
        started = time.perf_counter()
        call("POST", f"{base}/api/v1/payments/{payment}/confirm", token, want=(200,))
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(
        f"{percentile(samples, 50):.1f} {percentile(samples, 99):.1f} "
        f"{samples[0]:.1f} {samples[-1]:.1f} {statistics.mean(samples):.1f}"
    )


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "setup":
        print(json.dumps(order_body(sys.argv[2], sys.argv[3])))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "confirm":
        confirm(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
