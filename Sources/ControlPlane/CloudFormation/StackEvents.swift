import CloudModel
import Foundation

extension CloudFormationStack {
    /// Records who started the current operation (the engine acts as them).
    mutating func setCaller(_ p: Principal) {
        callerArn = p.arn
        caller = StackCaller(arn: p.arn, userId: p.userId, accessKeyId: p.accessKeyId, roleArn: p.roleArn)
    }

    /// The principal the engine acts as.
    func callerPrincipal(accountId: String) -> Principal {
        guard let c = caller else { return Principal(arn: callerArn, userId: accountId, accountId: accountId, accessKeyId: "") }
        return Principal(arn: c.arn, userId: c.userId, accountId: accountId, accessKeyId: c.accessKeyId, roleArn: c.roleArn)
    }
}

/// Appends events to a stack's log; every status change of the stack or one of its resources writes one.
enum StackEvents {
    /// An event for the stack itself (its logical id is its name, its physical id its ARN).
    static func stack(_ tx: inout Transaction, _ s: inout CloudFormationStack, _ status: String, reason: String? = nil) {
        append(&tx, &s, logicalId: s.name, physicalId: s.stackId, type: "AWS::CloudFormation::Stack", status: status,
               reason: reason, eventId: UUID().uuidString.lowercased())
    }

    /// An event for one resource.
    static func resource(_ tx: inout Transaction, _ s: inout CloudFormationStack, _ r: StackResourceState, reason: String? = nil,
                         properties: String? = nil) {
        let stamp = Int(tx.now.timeIntervalSince1970 * 1000)
        append(&tx, &s, logicalId: r.logicalId, physicalId: r.physicalId, type: r.type, status: r.status, reason: reason ?? r.statusReason,
               properties: properties, eventId: "\(r.logicalId)-\(r.status)-\(stamp)-\(s.eventSequence)")
    }

    private static func append(_ tx: inout Transaction, _ s: inout CloudFormationStack, logicalId: String, physicalId: String?,
                               type: String, status: String, reason: String?, properties: String? = nil, eventId: String) {
        s.eventSequence += 1
        tx.put(CloudFormationStackEvent(eventId: eventId, stackId: s.stackId, stackName: s.name, sequence: s.eventSequence,
                                        logicalResourceId: logicalId, physicalResourceId: physicalId, resourceType: type,
                                        timestamp: tx.now, resourceStatus: status, resourceStatusReason: reason,
                                        resourceProperties: properties))
    }
}
