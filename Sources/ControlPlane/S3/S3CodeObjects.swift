import AWSWire
import CloudModel
import Foundation

/// S3 as Lambda's `CodeObjectSource`: reads an object's file for CreateFunction, UpdateFunctionCode and
/// PublishLayerVersion.
extension S3Service: CodeObjectSource {
    public func codeObject(bucket: String, key: String, versionId: String?, limit: Int, context: RequestContext) throws(AWSError)
        -> (bytes: [UInt8], region: String) {
        do {
            guard let b = try store.bucket(bucket) else { throw S3Errors.noSuchBucket(bucket) }
            try authorize(context, "s3:GetObject", "arn:aws:s3:::\(bucket)/\(key)", bucket: bucket)
            guard let o = try store.object(bucket: bucket, key: key, versionId: versionId), !o.isDeleteMarker else {
                throw versionId.map { S3Errors.noSuchVersion(key, $0) } ?? S3Errors.noSuchKey(key)
            }
            guard o.size <= Int64(limit) else {
                throw S3Errors.entityTooLarge(o.size, max: Int64(limit))
            }
            guard let blob = o.blob else { return (try rowBytes(o), b.region) }
            guard let data = FileManager.default.contents(atPath: files.path(blob)) else { throw S3Errors.noSuchKey(key) }
            return (Array(data), b.region)
        } catch let e as AWSError {
            throw e
        } catch {
            throw S3Errors.internalError
        }
    }
}
