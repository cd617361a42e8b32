import ControlPlane
import Foundation
import Testing

/// GetFunction's code links: valid for ten minutes, for one digest, and only as signed.
struct CodeURLSignerTests {
    let signer = CodeURLSigner(key: Array(repeating: 7, count: 32))
    let sha = String(repeating: "ab", count: 32)
    let issued = Date(timeIntervalSince1970: 1_700_000_000)

    func query(_ url: String) -> [(String, String)] {
        URLComponents(string: url)!.queryItems!.map { ($0.name, $0.value ?? "") }
    }

    @Test func aLinkIsValidForTenMinutesOnly() {
        let url = signer.url(host: "127.0.0.1:4599", sha256Hex: sha, now: issued)
        #expect(url.hasPrefix("http://127.0.0.1:4599/_lambda-vpc/code/\(sha).zip?Expires=1700000600&Signature="))
        #expect(signer.refusal(sha256Hex: sha, query: query(url), now: issued.addingTimeInterval(600)) == nil)
        #expect(signer.refusal(sha256Hex: sha, query: query(url), now: issued.addingTimeInterval(601)) == "Request has expired")
    }

    @Test func aLinkOpensOnlyItsOwnCodeAndOnlyAsSigned() {
        let q = query(signer.url(host: "h", sha256Hex: sha, now: issued))
        let other = String(repeating: "cd", count: 32)
        #expect(signer.refusal(sha256Hex: other, query: q, now: issued) != nil)
        let longer = q.map { $0.0 == "Expires" ? ($0.0, "1800000000") : $0 }
        #expect(signer.refusal(sha256Hex: sha, query: longer, now: issued) != nil)
        #expect(signer.refusal(sha256Hex: sha, query: [], now: issued)
                == "Query-string authentication requires the Signature and Expires parameters")
        #expect(CodeURLSigner().refusal(sha256Hex: sha, query: q, now: issued) != nil)
    }
}
