-- wrk: POST /api/v1/orders with ten lines, the same body each time (a new draft order, its number,
-- its lines and its audit event each time). bench.sh passes the body in BENCH_ORDER_BODY (made by
-- money.py setup) and the Authorization and Content-Type headers with wrk -H.
local body = os.getenv("BENCH_ORDER_BODY")

function request()
    return wrk.format("POST", "/api/v1/orders", nil, body)
end
