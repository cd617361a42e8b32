import Foundation

/// One published version of a Lambda layer: its archive in the code store (by SHA-256) and what PublishLayerVersion
/// was told about it. Versions are immutable; deleting one leaves the functions that use it running (they keep a
/// reference to the archive, as on AWS).
public struct LambdaLayerVersion: Record {
    public static let kind = "lambda.layer-version"
    public static var table: WritableKeyPath<CloudState, [String: LambdaLayerVersion]> { \.lambdaLayerVersions }
    /// `name:version`.
    public var id: String
    public var layerName: String
    public var version: Int
    public var description: String
    public var compatibleRuntimes: [String]?
    public var compatibleArchitectures: [String]?
    public var licenseInfo: String?
    /// base64 of the archive's SHA-256 (Content.CodeSha256).
    public var codeSha256: String
    /// hex of the same digest: the code store's file name.
    public var codeHex: String
    public var codeSize: Int
    /// The archive's declared unzipped size: Lambda's 250 MB limit counts a function's layers too.
    public var unzippedSize: Int
    public var createdDate: Date
    /// AddLayerVersionPermission's statements, in the order added (nil: no policy).
    public var policy: [LayerPolicyStatement]?
    public var policyRevisionId: String?

    public init(layerName: String, version: Int, description: String, compatibleRuntimes: [String]?,
                compatibleArchitectures: [String]?, licenseInfo: String?, codeSha256: String, codeHex: String,
                codeSize: Int, unzippedSize: Int, createdDate: Date) {
        self.id = Self.id(layerName, version); self.layerName = layerName; self.version = version
        self.description = description; self.compatibleRuntimes = compatibleRuntimes
        self.compatibleArchitectures = compatibleArchitectures; self.licenseInfo = licenseInfo
        self.codeSha256 = codeSha256; self.codeHex = codeHex; self.codeSize = codeSize; self.unzippedSize = unzippedSize
        self.createdDate = createdDate
    }

    public static func id(_ name: String, _ version: Int) -> String { "\(name):\(version)" }
}

/// A layer name's version counter: numbers are never reused, even after every version was deleted (as on AWS).
public struct LambdaLayer: Record {
    public static let kind = "lambda.layer"
    public static var table: WritableKeyPath<CloudState, [String: LambdaLayer]> { \.lambdaLayers }
    /// The layer name.
    public var id: String
    public var lastVersion: Int

    public init(name: String, lastVersion: Int) { self.id = name; self.lastVersion = lastVersion }
}

/// A layer version as a function configuration references it (`Layers: [{Arn, CodeSize}]`), with what the sandbox
/// needs to unpack it even after the version itself is deleted.
public struct LambdaLayerReference: Codable, Sendable, Equatable {
    /// `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`.
    public var arn: String
    public var codeSize: Int
    public var codeHex: String
    public var unzippedSize: Int

    public init(arn: String, codeSize: Int, codeHex: String, unzippedSize: Int) {
        self.arn = arn; self.codeSize = codeSize; self.codeHex = codeHex; self.unzippedSize = unzippedSize
    }
}

/// A function's LoggingConfig as stored; the log group is nil for the default `/aws/lambda/NAME`.
public struct LambdaLoggingConfig: Codable, Sendable, Equatable {
    /// `Text` or `JSON`.
    public var logFormat: String
    /// Only with JSON (Lambda drops them for Text).
    public var applicationLogLevel: String?
    public var systemLogLevel: String?
    public var logGroup: String?

    public init(logFormat: String, applicationLogLevel: String?, systemLogLevel: String?, logGroup: String?) {
        self.logFormat = logFormat; self.applicationLogLevel = applicationLogLevel
        self.systemLogLevel = systemLogLevel; self.logGroup = logGroup
    }
}

/// One statement of a layer version's resource policy: who may call `lambda:GetLayerVersion` on it.
public struct LayerPolicyStatement: Codable, Sendable, Equatable {
    public var sid: String
    /// An account id, `*`, or `arn:aws:iam::ACCOUNT:root`, as given.
    public var principal: String
    public var organizationId: String?

    public init(sid: String, principal: String, organizationId: String?) {
        self.sid = sid; self.principal = principal; self.organizationId = organizationId
    }
}
