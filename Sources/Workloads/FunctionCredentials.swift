import CloudModel
import ControlPlane
import Foundation
import Sandbox
import Synchronization

/// The execution role's temporary credentials each function's environments run with, as Lambda hands them: a role
/// session named after the function, issued in process (no request to STS) and kept per (role, function) until it
/// nears its end.
final class FunctionCredentials: Sendable {
    let sts: STSService
    let store: StateStore
    private let sessions = Mutex<[String: STSSession]>([:])

    /// How long a session lasts, and how much of it must be left for an environment to start or be reused with it:
    /// more than the longest invocation (900 s) plus the time an idle environment is kept, so an environment never
    /// outlives its credentials. Past that a new session is issued; the spec then differs and the environments
    /// holding the old one are dropped.
    static let sessionDuration: TimeInterval = 12 * 3600
    static let sessionMargin: TimeInterval = 3600

    init(sts: STSService, store: StateStore) {
        self.sts = sts
        self.store = store
    }

    func credentials(role: String, function: String) throws -> SessionCredentials {
        let key = role + "\u{0}" + function
        let now = store.now
        let session = try sessions.withLock { known -> STSSession in
            if let s = known[key], s.expiration.timeIntervalSince(now) > Self.sessionMargin { return s }
            let fresh = try sts.issueRoleSession(roleArn: role, sessionName: function, duration: Self.sessionDuration)
            known[key] = fresh
            return fresh
        }
        return SessionCredentials(accessKeyId: session.id, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken)
    }
}
