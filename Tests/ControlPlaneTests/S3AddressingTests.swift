import AWSWire
@testable import ControlPlane
import Testing

@Test(arguments: [
    ("photos.s3.amazonaws.com", "photos"),
    ("photos.s3.us-west-2.amazonaws.com", "photos"),
    ("my.dotted.bucket.s3.eu-central-1.amazonaws.com:443", "my.dotted.bucket"),
    ("Photos.S3.localhost:4566", "photos"),
    ("photos.s3.us-east-1.localhost", "photos"),
    ("photos.s3-us-west-2.amazonaws.com", "photos"),
])
func virtualHostedHostsNameTheirBucket(host: String, bucket: String) {
    #expect(S3Addressing.hostBucket(host) == bucket)
}

@Test(arguments: ["127.0.0.1:4566", "localhost:4566", "s3.amazonaws.com", "s3.us-east-1.amazonaws.com", "lambda.us-east-1.amazonaws.com",
                  "photos.s3.example.com", "bucket-s3.localhost"])
func otherHostsNameNoBucket(host: String) {
    #expect(S3Addressing.hostBucket(host) == nil)
}

@Test func pathStyleAndVirtualHostedTargetsDecodeTheKey() throws {
    let path = WireRequest(method: "GET", rawPath: "/b/dir/a%20b", headers: [("Host", "127.0.0.1:4566")])
    #expect(S3Addressing.target(path)?.bucket == "b")
    #expect(S3Addressing.target(path)?.key == "dir/a b")
    let hosted = WireRequest(method: "GET", rawPath: "/dir/k", headers: [("Host", "b.s3.us-east-1.amazonaws.com")])
    #expect(S3Addressing.target(hosted)?.bucket == "b")
    #expect(S3Addressing.target(hosted)?.key == "dir/k")
}
