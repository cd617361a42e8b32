-- wrk script: sends one AWS Query-protocol request (form body) again and again over keep-alive connections,
-- with a syntactically valid SigV4 Authorization header so the server routes it by its credential scope.
-- The signature itself is not valid: lambda-vpc only parses it in its default mode and moto does not check it.
--
-- wrk ... -s aws_query.lua URL -- BODY SERVICE AMZDATE
--   BODY     the form body, e.g. Action=DescribeVpcs&Version=2016-11-15
--   SERVICE  the credential scope's service (ec2, sts, iam); default ec2
--   AMZDATE  X-Amz-Date, yyyymmddThhmmssZ; default now

local req

function init(args)
    local body = args[1] or "Action=DescribeVpcs&Version=2016-11-15"
    local service = args[2] or "ec2"
    local amzdate = args[3] or os.date("!%Y%m%dT%H%M%SZ")
    local scope = amzdate:sub(1, 8) .. "/us-east-1/" .. service .. "/aws4_request"
    local headers = {
        ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
        ["X-Amz-Date"] = amzdate,
        ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK0000000/" .. scope
            .. ", SignedHeaders=content-type;host;x-amz-date, Signature=" .. string.rep("0", 64),
    }
    req = wrk.format("POST", "/", headers, body)
end

function request()
    return req
end
