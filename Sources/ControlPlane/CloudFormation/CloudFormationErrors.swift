import AWSWire

/// CloudFormation's errors (Query protocol, `<Type>Sender</Type>`), with AWS's messages.
enum CloudFormationErrors {
    static func validation(_ message: String) -> AWSError { AWSError(code: "ValidationError", message: message) }

    static func stackNotFound(_ name: String) -> AWSError { validation("Stack with id \(name) does not exist") }

    static func alreadyExists(_ name: String) -> AWSError {
        AWSError(code: "AlreadyExistsException", message: "Stack [\(name)] already exists")
    }

    static func changeSetAlreadyExists(_ name: String) -> AWSError {
        AWSError(code: "AlreadyExistsException", message: "ChangeSet \(name) already exists")
    }

    static func changeSetNotFound(_ name: String) -> AWSError {
        AWSError(code: "ChangeSetNotFound", message: "ChangeSet [\(name)] does not exist", httpStatus: 404)
    }

    static func insufficientCapabilities(_ caps: [String]) -> AWSError {
        AWSError(code: "InsufficientCapabilitiesException", message: "Requires capabilities : [\(caps.joined(separator: ","))]")
    }

    static func invalidChangeSetStatus(_ message: String) -> AWSError {
        AWSError(code: "InvalidChangeSetStatus", message: message)
    }

    static func notUpdatable(_ stackId: String, _ status: String) -> AWSError {
        validation("Stack:\(stackId) is in \(status) state and can not be updated.")
    }

    static let noUpdates = validation("No updates are to be performed.")
    static let noChanges = "The submitted information didn't contain changes. Submit different information to create a change set."

    static func missing(_ member: String) -> AWSError {
        validation("1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
    }

    static func stackName(_ name: String) -> AWSError {
        validation("1 validation error detected: Value '\(name)' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*")
    }
}

