-- wrk script: S3 PutObject or GetObject of small objects over keep-alive connections, path-style, with a
-- syntactically valid SigV4 Authorization header scoped to s3 and UNSIGNED-PAYLOAD (lambda-vpc parses but does not
-- verify it in its default mode; moto does not check it).
--
-- wrk ... -s s3_put_get.lua URL -- METHOD BUCKET SIZE KEYS
--   METHOD  PUT (cycles through KEYS keys) or GET (reads key obj-0)
--   SIZE    body bytes for PUT (default 1024)
--   KEYS    how many distinct keys PUT cycles through (default 1000)

local method, bucket, body, keys, headers
local counter = 0
-- Every PUT request is formatted once, in init: the load generator then costs the servers' shared CPU as little as
-- it can (formatting each request in Lua took about a third of wrk's CPU).
local puts = {}
local get

function init(args)
    method = args[1] or "GET"
    bucket = args[2] or "bench"
    local size = tonumber(args[3] or "1024")
    keys = tonumber(args[4] or "1000")
    body = string.rep("x", size)
    local amzdate = os.date("!%Y%m%dT%H%M%SZ")
    local scope = amzdate:sub(1, 8) .. "/us-east-1/s3/aws4_request"
    headers = {
        ["X-Amz-Date"] = amzdate,
        ["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD",
        ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK0000000/" .. scope
            .. ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" .. string.rep("0", 64),
    }
    if method == "PUT" then
        for i = 0, keys - 1 do
            puts[i] = wrk.format("PUT", "/" .. bucket .. "/obj-" .. i, headers, body)
        end
    end
    get = wrk.format("GET", "/" .. bucket .. "/obj-0", headers)
    counter = math.random(0, keys - 1)
end

function request()
    if method == "PUT" then
        counter = (counter + 1) % keys
        return puts[counter]
    end
    return get
end
