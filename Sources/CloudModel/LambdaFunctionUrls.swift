import Foundation

/// A function URL's CORS settings, as CreateFunctionUrlConfig's `Cors` gave them (absent members stay nil).
public struct LambdaUrlCors: Codable, Sendable, Equatable {
    public var allowCredentials: Bool?
    public var allowHeaders: [String]?
    public var allowMethods: [String]?
    public var allowOrigins: [String]?
    public var exposeHeaders: [String]?
    public var maxAge: Int?

    public init(allowCredentials: Bool? = nil, allowHeaders: [String]? = nil, allowMethods: [String]? = nil,
                allowOrigins: [String]? = nil, exposeHeaders: [String]? = nil, maxAge: Int? = nil) {
        self.allowCredentials = allowCredentials; self.allowHeaders = allowHeaders; self.allowMethods = allowMethods
        self.allowOrigins = allowOrigins; self.exposeHeaders = exposeHeaders; self.maxAge = maxAge
    }
}

/// The function URL of a function (unqualified) or of one of its aliases: its id (the host's first label), how callers
/// authenticate, CORS and invoke mode.
public struct LambdaFunctionUrlConfig: Record {
    public static let kind = "lambda.function-url"
    public static var table: WritableKeyPath<CloudState, [String: LambdaFunctionUrlConfig]> { \.functionUrls }
    /// `function:qualifier`, with an empty qualifier for the unqualified function.
    public var id: String
    public var functionName: String
    /// Nil: the unqualified function (`$LATEST`); else an alias name.
    public var qualifier: String?
    /// 32 lower-case letters and digits: `https://<urlId>.lambda-url.<region>.on.aws/`.
    public var urlId: String
    /// `NONE` or `AWS_IAM`.
    public var authType: String
    public var cors: LambdaUrlCors?
    /// `BUFFERED` or `RESPONSE_STREAM`.
    public var invokeMode: String
    public var creationTime: Date
    public var lastModifiedTime: Date

    public init(functionName: String, qualifier: String?, urlId: String, authType: String, cors: LambdaUrlCors?,
                invokeMode: String, creationTime: Date, lastModifiedTime: Date) {
        self.id = Self.id(functionName, qualifier); self.functionName = functionName; self.qualifier = qualifier
        self.urlId = urlId; self.authType = authType; self.cors = cors; self.invokeMode = invokeMode
        self.creationTime = creationTime; self.lastModifiedTime = lastModifiedTime
    }

    public static func id(_ function: String, _ qualifier: String?) -> String { "\(function):\(qualifier ?? "")" }
}
