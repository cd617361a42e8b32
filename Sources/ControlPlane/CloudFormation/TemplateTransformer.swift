/// Expands a template's macros (`Transform: AWS::Serverless-2016-10-31`) before the stack engine reads it.
///
/// A port: the control plane states what it needs, the server supplies the implementation (AWS's own
/// SAM translator run in a helper process), so the stack engine stays testable with an in-process fake.
public protocol TemplateTransformer: Sendable {
    /// Returns the processed template as JSON text.
    ///
    /// - Parameters:
    ///   - templateJSON: the whole template as JSON text (YAML already converted, short forms in long form).
    ///   - parameterValues: the stack's parameter values by name, as the transform may read them.
    /// - Throws: `TemplateTransformError` with the text AWS puts after "Transform AWS::Serverless-2016-10-31 failed with: ".
    func transform(templateJSON: String, parameterValues: [String: String], region: String, accountId: String) async throws -> String
}

/// Why a transform refused a template; `message` is what a user reads in the stack's or change set's status reason.
public struct TemplateTransformError: Error, Sendable, Equatable {
    /// The transform that failed, for example `AWS::Serverless-2016-10-31`.
    public var transform: String
    /// The transform's own explanation.
    public var message: String

    public init(transform: String, message: String) {
        self.transform = transform
        self.message = message
    }

    /// The status reason AWS shows: `Transform AWS::Serverless-2016-10-31 failed with: …`.
    public var statusReason: String { "Transform \(transform) failed with: \(message)" }
}
