-- wrk: GET /api/v1/leads?limit=50&cursor=<a random cursor from BENCH_CURSORS>: a keyset page deep
-- in the default order (-created_at). bench.sh writes the cursors, one a line, and checks one
-- of them against the next_cursor the server hands out when the list is followed page by page.
local cursors = {}

function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
    for line in io.lines(os.getenv("BENCH_CURSORS")) do
        cursors[#cursors + 1] = line
    end
end

function request()
    return wrk.format("GET", "/api/v1/leads?limit=50&cursor=" .. cursors[math.random(1, #cursors)])
end
