@testable import AWSWire
import Testing

@Test func headerNamesAreLowerCasedAndFoundInAnyCase() {
    let r = WireRequest(method: "PUT", rawPath: "/", headers: [("X-Amz-Date", "1"), ("content-length", "2"), ("ÄBC-Header", "3"),
                                                              ("X-Amz-Meta-ÉTÉ", "4")])
    #expect(r.headers.map(\.name) == ["x-amz-date", "content-length", "äbc-header", "x-amz-meta-été"])
    #expect(r.header("X-AMZ-DATE") == "1")
    #expect(r.header("content-length") == "2")
    #expect(r.header("Äbc-header") == "3")
}
