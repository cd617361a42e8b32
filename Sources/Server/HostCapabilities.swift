import Foundation

/// What the host lets this process do.
public enum HostCapabilities {
    /// CAP_NET_ADMIN (bit 12) in the effective capability set, read from /proc.
    public static func hasNetAdmin() -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return false }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces)
            guard let v = UInt64(hex, radix: 16) else { return false }
            return v & (1 << 12) != 0
        }
        return false
    }
}
