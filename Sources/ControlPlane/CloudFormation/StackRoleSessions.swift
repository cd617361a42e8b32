import AWSWire
import Foundation
import Synchronization

/// A stack's service role (`RoleARN`): CloudFormation assumes it and makes every call of the stack's deployments as
/// that role's session instead of as the caller. Sessions are issued on first use and kept until 5 minutes before
/// they expire; a role that is missing or does not trust `cloudformation.amazonaws.com` is refused when named.
public final class StackRoleSessions: Sendable {
    let assumable: @Sendable (String) -> Bool
    let issue: @Sendable (String) throws -> (principal: Principal, expiration: Date)
    private let sessions = Mutex<[String: (principal: Principal, expiration: Date)]>([:])

    /// `assumable` says whether CloudFormation may assume the role; `issue` starts a session of it.
    public init(assumable: @escaping @Sendable (String) -> Bool,
                issue: @escaping @Sendable (String) throws -> (principal: Principal, expiration: Date)) {
        self.assumable = assumable
        self.issue = issue
    }

    /// AWS's refusal of a role CloudFormation cannot assume.
    func validate(_ roleArn: String?) throws(AWSError) {
        guard let roleArn else { return }
        guard assumable(roleArn) else { throw CloudFormationErrors.validation("Role \(roleArn) is invalid or cannot be assumed") }
    }

    /// The role's session to act as; nil when none can be issued now (the role was deleted since: the caller's own
    /// principal is then not used either, see `StackEngine.providerContext`).
    func principal(_ roleArn: String, now: Date) -> Principal? {
        if let s = sessions.withLock({ $0[roleArn] }), s.expiration > now.addingTimeInterval(300) { return s.principal }
        guard let fresh = try? issue(roleArn) else { return nil }
        sessions.withLock { $0[roleArn] = fresh }
        return fresh.principal
    }
}
