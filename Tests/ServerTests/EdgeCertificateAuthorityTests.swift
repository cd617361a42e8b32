import Foundation
@testable import Server
import Testing
import X509

/// The data dir's CA: made once, a leaf for AWS's names signed by it, a bundle that adds it to the system's.
struct EdgeCertificateAuthorityTests {
    func tempDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("lv-ca-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func theCAIsKeptAndTheLeafCoversEveryRegionsNames() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try EdgeCertificateAuthority.open(dataDir: dir)
        let again = try EdgeCertificateAuthority.open(dataDir: dir)
        #expect(first.caPEM == again.caPEM, "made once per data dir")
        #expect(first.leafPEM != again.leafPEM, "the leaf is issued at each start")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/ca/ca-key.pem")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let ca = try Certificate(pemEncoded: first.caPEM)
        let leaf = try Certificate(pemEncoded: first.leafPEM)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(leaf.issuer == ca.subject && ca.publicKey.isValidSignature(leaf.signature, for: leaf))
        let names = try #require(try leaf.extensions.subjectAlternativeNames).compactMap { n -> String? in
            if case .dnsName(let d) = n { return d } else { return nil }
        }
        for n in ["*.amazonaws.com", "*.us-east-1.amazonaws.com", "*.s3.eu-west-1.amazonaws.com", "*.s3.amazonaws.com",
                  "*.lambda-url.ap-southeast-2.on.aws"] {
            #expect(names.contains(n), "\(n)")
        }
        #expect(try leaf.extensions.extendedKeyUsage?.contains(.serverAuth) == true)

        let bundle = try String(contentsOfFile: first.bundlePath, encoding: .utf8)
        #expect(bundle.hasSuffix(first.caPEM + "\n"))
        let system = EdgeCertificateAuthority.systemBundlePaths.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first
        if let system { #expect(bundle.hasPrefix(system)) }
    }
}
