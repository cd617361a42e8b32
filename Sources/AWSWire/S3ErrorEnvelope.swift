extension ErrorEnvelope {
    /// S3 (REST-XML): `<Error><Code/><Message/>…extra members…<RequestId/><HostId/></Error>`; a HEAD request's
    /// error has no body, only the status (as S3 answers it).
    public static func s3(_ e: AWSError, requestID: String, hostId: String, head: Bool = false) -> WireResponse {
        let headers = [("Content-Type", "application/xml"), ("x-amz-request-id", requestID), ("x-amz-id-2", hostId)]
        if head { return WireResponse(status: e.httpStatus, headers: headers) }
        var w = XMLWriter()
        w.open("Error")
        w.element("Code", e.code)
        w.element("Message", e.message)
        for key in e.extraFields.keys.sorted() { w.element(key, e.extraFields[key]) }
        w.element("RequestId", requestID)
        w.element("HostId", hostId)
        w.close("Error")
        return WireResponse(status: e.httpStatus, headers: headers, body: Array(w.text.utf8))
    }
}
