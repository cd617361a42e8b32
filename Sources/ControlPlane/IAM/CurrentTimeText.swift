import Foundation
import Synchronization

/// `aws:CurrentTime` text (ISO 8601, whole seconds), formatted once per second: every enforced request needs it
/// and Foundation's formatter costs more than the policy decision.
final class CurrentTimeText: Sendable {
    private let last = Mutex<(second: Int, text: String)>((Int.min, ""))

    func text(_ now: Date) -> String {
        let second = Int(now.timeIntervalSince1970.rounded(.down))
        if let hit = last.withLock({ $0.second == second ? $0.text : nil }) { return hit }
        let text = Date(timeIntervalSince1970: TimeInterval(second)).formatted(Date.ISO8601FormatStyle())
        last.withLock { $0 = (second, text) }
        return text
    }
}
