// libFuzzer target: a Query-protocol (EC2, IAM, STS) form body decoded into parameters, then read with the
// flattened-list conventions every EC2 and IAM operation uses (`Filter.N.Value.M`, `IpPermissions.N.*`).
@testable import AWSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let request = WireRequest(method: "POST", rawPath: "/", rawQuery: "Action=DescribeVpcs&Version=2016-11-15",
                              headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")], body: body)
    let q = QueryParameters(request: request)
    _ = q.filters()
    _ = q.list("SubnetId")
    for p in q.structures("IpPermissions") {
        _ = p.list("IpRanges")
        for r in p.structures("IpRanges") { _ = r["CidrIp"] }
        _ = p.has(prefix: "Groups")
    }
    _ = q.structures("Tag").map { ($0["Key"], $0["Value"]) }
    _ = q.has(prefix: "TagSpecification")
    return 0
}
