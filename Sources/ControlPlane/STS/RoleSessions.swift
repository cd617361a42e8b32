import AWSWire
import CloudModel
import Foundation

extension STSService {
    /// Expired sessions are kept this long, so a request with their token is told `ExpiredToken` rather than that
    /// the key is unknown; then the sweep removes them.
    static let expiredSessionRetention: TimeInterval = 24 * 3600

    /// Issues temporary credentials for `role` and stores the session: AssumeRole's, and those Lambda and EC2 hand
    /// their workloads without any request (no trust or duration check here; the callers decide those).
    public func issueRoleSession(_ role: IAMRole, sessionName: String, duration: TimeInterval, policy: String? = nil,
                                 policyArns: [String] = [], tags: [Tag] = [], transitiveTagKeys: [String] = [],
                                 sourceIdentity: String? = nil, chained: Bool = false) throws -> STSSession {
        try issue { now, key in
            STSSession(id: key.accessKeyId, secretAccessKey: key.secret, sessionToken: key.token, createdAt: now,
                       expiration: now.addingTimeInterval(duration),
                       principalArn: STSSession.assumedRoleArn(accountId: accountId, roleName: role.name, sessionName: sessionName),
                       userId: role.roleId + ":" + sessionName, roleArn: role.arn, roleName: role.name, roleSessionName: sessionName,
                       sessionPolicy: policy, sessionPolicyArns: policyArns, tags: tags, transitiveTagKeys: transitiveTagKeys,
                       sourceIdentity: sourceIdentity, chained: chained)
        }
    }

    /// The same for a role given by ARN (a function's execution role): the role as IAM has it, or, when it does not
    /// exist here (`--skip-role-checks` lets a function name any role), a session for that ARN whose principal has
    /// no policies.
    public func issueRoleSession(roleArn: String, sessionName: String, duration: TimeInterval) throws -> STSSession {
        if let role = authorizer.role(arn: roleArn) {
            return try issueRoleSession(role, sessionName: sessionName, duration: duration)
        }
        let name = roleArn.split(separator: "/").last.map(String.init) ?? roleArn
        let stand = IAMRole(name: name, roleId: Self.standInRoleId(roleArn), path: "/", arn: roleArn, assumeRolePolicyDocument: "{}",
                            description: nil, maxSessionDuration: 43200, createdAt: Date())
        return try issueRoleSession(stand, sessionName: sessionName, duration: duration)
    }

    /// A stable `AROA…` id for a role ARN IAM does not know.
    static func standInRoleId(_ arn: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = "AROA"
        for _ in 0..<17 {
            for b in arn.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            out.append(alphabet[Int(h % 32)])
        }
        return out
    }

    /// Writes a new session (built by `make` from the write's time and fresh key material), sweeping out sessions
    /// long expired at most once a minute.
    func issue(_ make: (Date, (accessKeyId: String, secret: String, token: String)) -> STSSession) throws -> STSSession {
        try store.write { tx in
            let session = make(tx.now, STSSession.newKeyMaterial())
            tx.put(session)
            let sweep = lastSweep.withLock { last -> Bool in
                guard tx.now.timeIntervalSince(last) >= 60 else { return false }
                last = tx.now
                return true
            }
            if sweep {
                let cutoff = tx.now.addingTimeInterval(-Self.expiredSessionRetention)
                for old in tx.all(STSSession.self) where old.expiration < cutoff { tx.delete(STSSession.self, old.id) }
            }
            return session
        }
    }

    /// GetSessionToken: credentials for the caller itself, 900 s to 36 h (12 h by default); the root's last at most
    /// one hour (a longer request gets one hour, as AWS documents). Not with temporary credentials.
    func getSessionToken(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        var duration = 43200
        if let d = p["DurationSeconds"] {
            var failures: [String] = []
            if let n = Int(d) {
                if n < 900 { failures.append(STSErrors.constraint(d, "durationSeconds", "Member must have value greater than or equal to 900")) }
                if n > 129_600 { failures.append(STSErrors.constraint(d, "durationSeconds", "Member must have value less than or equal to 129600")) }
                duration = n
            } else {
                failures.append(STSErrors.constraint(d, "durationSeconds", "Member must be an integer"))
            }
            if !failures.isEmpty { throw STSErrors.validation(failures) }
        }
        let s = store.snapshot()
        if s.stsSessions[ctx.principal.accessKeyId] != nil { throw STSErrors.sessionTokenWithSession }
        let p = ctx.principal
        let user = p.isRoot ? nil : s.iamUsers.values.first { $0.arn == p.arn }
        if p.isRoot { duration = min(duration, 3600) }
        let session = try issue { now, key in
            STSSession(id: key.accessKeyId, secretAccessKey: key.secret, sessionToken: key.token, createdAt: now,
                       expiration: now.addingTimeInterval(TimeInterval(duration)), principalArn: p.arn, userId: p.userId,
                       userName: user?.name)
        }
        return Self.response("GetSessionToken", requestID: ctx.requestID) { w in Self.credentials(&w, session) }
    }
}
