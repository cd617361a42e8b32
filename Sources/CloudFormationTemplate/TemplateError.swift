/// A template or parameter problem, with CloudFormation's own wording; the API answers it as `ValidationError`.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    static func format(_ detail: String) -> TemplateError { TemplateError("Template format error: \(detail)") }
    static func template(_ detail: String) -> TemplateError { TemplateError("Template error: \(detail)") }
}
