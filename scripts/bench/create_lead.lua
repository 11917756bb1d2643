-- wrk: POST /api/v1/leads with a new person each time (unique email and phone, so the duplicate
-- check finds nothing and every request creates a lead and its audit event).
-- bench.sh passes the Authorization and Content-Type headers with wrk -H.
local counter = 0
local tid = 0
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("thread_no", threads)
end

function init(args)
    tid = (thread_no or 0) % 10
end

function request()
    counter = counter + 1
    local body = string.format(
        '{"name":"Bench person %d-%d","company":"Bench Company %d Ltd","email":"Wrk-%d-%d@Example.com",'
            .. '"phone":"+86 139%d%07d","source":"web"}',
        tid, counter, counter % 5000, tid, counter, tid, counter % 10000000)
    return wrk.format("POST", "/api/v1/leads", nil, body)
end
