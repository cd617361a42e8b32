import AWSWire

/// S3's errors, with AWS's codes, statuses and messages; the extra members (`BucketName`, `Key`, …) go in the body.
enum S3Errors {
    static func make(_ code: String, _ message: String, _ status: Int, _ extra: [String: String] = [:]) -> AWSError {
        AWSError(code: code, message: message, httpStatus: status, extraFields: extra)
    }

    static func noSuchBucket(_ b: String) -> AWSError {
        make("NoSuchBucket", "The specified bucket does not exist", 404, ["BucketName": b])
    }
    static func noSuchKey(_ k: String) -> AWSError { make("NoSuchKey", "The specified key does not exist.", 404, ["Key": k]) }
    static func noSuchVersion(_ k: String, _ v: String) -> AWSError {
        make("NoSuchVersion", "The specified version does not exist.", 404, ["Key": k, "VersionId": v])
    }
    static func noSuchUpload(_ id: String) -> AWSError {
        make("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
             404, ["UploadId": id])
    }
    static func invalidBucketName(_ b: String) -> AWSError {
        make("InvalidBucketName", "The specified bucket is not valid.", 400, ["BucketName": b])
    }
    static func bucketAlreadyOwnedByYou(_ b: String) -> AWSError {
        make("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409,
             ["BucketName": b])
    }
    static func bucketNotEmpty(_ b: String) -> AWSError {
        make("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, ["BucketName": b])
    }
    static func invalidLocationConstraint(_ c: String) -> AWSError {
        make("InvalidLocationConstraint", "The specified location-constraint is not valid", 400, ["LocationConstraint": c])
    }
    static func illegalLocationConstraint(_ c: String?) -> AWSError {
        make("IllegalLocationConstraintException",
             "The \(c ?? "unspecified") location constraint is incompatible for the region specific endpoint this request was sent to.", 400)
    }
    static let malformedXML = make("MalformedXML",
                                   "The XML you provided was not well-formed or did not validate against our published schema", 400)
    static func preconditionFailed(_ condition: String) -> AWSError {
        make("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, ["Condition": condition])
    }
    static func invalidRange(size: Int64, range: String) -> AWSError {
        make("InvalidRange", "The requested range is not satisfiable", 416, ["ActualObjectSize": String(size), "RangeRequested": range])
    }
    static func invalidArgument(_ message: String, name: String, value: String) -> AWSError {
        make("InvalidArgument", message, 400, ["ArgumentName": name, "ArgumentValue": value])
    }
    static func invalidDigest(_ v: String) -> AWSError {
        make("InvalidDigest", "The Content-MD5 you specified was invalid.", 400, ["Content-MD5": v])
    }
    static func badDigest(expected: String, computed: String) -> AWSError {
        make("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
             ["ExpectedDigest": expected, "CalculatedDigest": computed])
    }
    static func badChecksum(_ algorithm: String) -> AWSError {
        make("BadDigest", "The \(algorithm) you specified did not match the calculated checksum.", 400)
    }
    static func invalidChecksum(_ algorithm: String) -> AWSError {
        make("InvalidRequest", "Value for x-amz-checksum-\(algorithm.lowercased()) header is invalid.", 400)
    }
    static let incompleteBody = make("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", 400)
    static let signatureDoesNotMatch = make("SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.", 403)
    static func entityTooLarge(_ size: Int64, max: Int64) -> AWSError {
        make("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
             ["ProposedSize": String(size), "MaxSizeAllowed": String(max)])
    }
    static func entityTooSmall(_ size: Int64) -> AWSError {
        make("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400,
             ["ProposedSize": String(size), "MinSizeAllowed": "5242880"])
    }
    static let invalidPartOrder = make("InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.", 400)
    static func invalidPart(_ number: Int, etag: String) -> AWSError {
        make("InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
             400, ["PartNumber": String(number), "ETag": etag])
    }
    static func invalidPartNumber(_ v: String) -> AWSError {
        invalidArgument("Part number must be an integer between 1 and 10000, inclusive", name: "partNumber", value: v)
    }
    static func copyToItself() -> AWSError {
        make("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.", 400)
    }
    static func invalidCopySource() -> AWSError {
        invalidArgument("Invalid copy source object key", name: "x-amz-copy-source", value: "")
    }
    static let methodNotAllowed = make("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
    static func notImplemented(_ what: String) -> AWSError {
        make("NotImplemented", "A header or query you provided requested a function that is not implemented.", 501, ["Header": what])
    }
    static func noSuchConfiguration(_ code: String, _ message: String, bucket: String) -> AWSError {
        make(code, message, 404, ["BucketName": bucket])
    }
    static let invalidContinuationToken = invalidArgument("The continuation token provided is incorrect", name: "continuation-token", value: "")
    static func malformedPolicy(_ message: String) -> AWSError { make("MalformedPolicy", message, 400) }
    static func invalidTag(_ message: String) -> AWSError { make("InvalidTag", message, 400) }
    static let internalError = AWSError(code: "InternalError", message: "We encountered an internal error. Please try again.",
                                        httpStatus: 500, senderFault: false)
}
