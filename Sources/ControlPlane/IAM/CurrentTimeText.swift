import Foundation
import Synchronization

/// `aws:CurrentTime` (ISO 8601, whole seconds) and `aws:EpochTime` texts, formatted once per second: every enforced
/// request needs them and Foundation's formatter costs more than the policy decision.
final class CurrentTimeText: Sendable {
    private let last = Mutex<(second: Int, text: String, epoch: String)>((Int.min, "", ""))

    func text(_ now: Date) -> String { texts(now).iso }

    /// Both texts for the second containing `now`.
    func texts(_ now: Date) -> (iso: String, epoch: String) {
        let second = Int(now.timeIntervalSince1970.rounded(.down))
        if let hit = last.withLock({ $0.second == second ? ($0.text, $0.epoch) : nil }) { return hit }
        let text = Date(timeIntervalSince1970: TimeInterval(second)).formatted(Date.ISO8601FormatStyle())
        let epoch = String(Int(now.timeIntervalSince1970))
        last.withLock { $0 = (second, text, epoch) }
        return (text, epoch)
    }
}
