-- wrk: GET /api/v1/leads/{id} of a random seeded lead (ids as in seed_leads.*.sql).
-- Environment: BENCH_LO, BENCH_HI (the row numbers to pick from). The token comes with wrk -H.
local lo = tonumber(os.getenv("BENCH_LO") or "1")
local hi = tonumber(os.getenv("BENCH_HI") or "1")

function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
    local n = math.random(lo, hi)
    return wrk.format("GET", string.format("/api/v1/leads/0190a000-0000-7000-8000-%012d", n))
end
