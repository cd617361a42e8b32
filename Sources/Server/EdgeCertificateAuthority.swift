import CloudModel
import Crypto
import Foundation
import Sandbox
import X509

/// The data dir's own certificate authority, so the service edge can answer HTTPS for AWS's names and functions and
/// instances trust it like a public CA. Created once and kept in `<data-dir>/ca/` (`ca.pem`, `ca-key.pem`); the
/// edge's leaf certificate is issued again at every start (one signature) and covers every region's names; the
/// bundle the sandboxes see (`ca-bundle.crt`) is the host's system bundle followed by this CA.
public struct EdgeCertificateAuthority: Sendable {
    public let directory: String
    /// PEM of the CA certificate.
    public let caPEM: String
    /// PEM of the leaf certificate the edge presents, and its key.
    public let leafPEM: String
    public let leafKeyPEM: String
    /// `ca-bundle.crt`: the system bundle plus `ca.pem`.
    public var bundlePath: String { directory + "/ca-bundle.crt" }
    public var caPath: String { directory + "/ca.pem" }

    /// Where the host's system bundle may be; the first that exists is copied into `ca-bundle.crt`.
    public static var systemBundlePaths: [String] { TrustBundle.standardPaths }

    /// Loads the CA of `dataDir` (creating it the first time), issues the leaf and writes the bundle.
    public static func open(dataDir: String, now: Date = Date()) throws -> EdgeCertificateAuthority {
        let dir = dataDir + "/ca"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let certFile = dir + "/ca.pem", keyFile = dir + "/ca-key.pem"
        let caKey: P256.Signing.PrivateKey
        let ca: Certificate
        if let keyText = try? String(contentsOfFile: keyFile, encoding: .utf8),
           let certText = try? String(contentsOfFile: certFile, encoding: .utf8) {
            caKey = try P256.Signing.PrivateKey(pemRepresentation: keyText)
            ca = try Certificate(pemEncoded: certText)
        } else {
            caKey = P256.Signing.PrivateKey()
            ca = try makeCA(key: caKey, dataDir: dataDir, now: now)
            try write(caKey.pemRepresentation, to: keyFile, mode: 0o600)
            try write(ca.serializeAsPEM().pemString, to: certFile, mode: 0o644)
        }
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try makeLeaf(key: leafKey, ca: ca, caKey: caKey, names: serverNames(), now: now)
        let caPEM = try ca.serializeAsPEM().pemString
        let system = systemBundlePaths.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first ?? ""
        let bundle = (system.isEmpty || system.hasSuffix("\n") ? system : system + "\n") + "# lambda-vpc: \(dataDir)\n" + caPEM + "\n"
        try write(bundle, to: dir + "/ca-bundle.crt", mode: 0o644)
        return EdgeCertificateAuthority(directory: dir, caPEM: caPEM, leafPEM: try leaf.serializeAsPEM().pemString,
                                        leafKeyPEM: leafKey.pemRepresentation)
    }

    /// The names the leaf covers: AWS's global names and, per region, its service names, S3's virtual-hosted
    /// names and function URLs (a wildcard covers one label only, so each pattern is listed per region).
    static func serverNames() -> [String] {
        var names = ["amazonaws.com", "*.amazonaws.com", "*.s3.amazonaws.com"]
        for r in AWSRegions.all.map(\.name) {
            names += ["*.\(r).amazonaws.com", "*.s3.\(r).amazonaws.com", "*.execute-api.\(r).amazonaws.com",
                      "*.lambda-url.\(r).on.aws"]
        }
        return names
    }

    static func makeCA(key: P256.Signing.PrivateKey, dataDir: String, now: Date) throws -> Certificate {
        let name = try DistinguishedName {
            OrganizationName("lambda-vpc")
            CommonName("lambda-vpc local CA " + SHA256.hash(data: Data(dataDir.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined())
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(20 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    static func makeLeaf(key: P256.Signing.PrivateKey, ca: Certificate, caKey: P256.Signing.PrivateKey, names: [String],
                         now: Date) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        let subject = try DistinguishedName {
            OrganizationName("lambda-vpc")
            CommonName("amazonaws.com")
        }
        let caKeyId = try ca.extensions.subjectKeyIdentifier?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: ca.publicKey).keyIdentifier
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            // Valid a year: clients that cap leaf lifetimes (398 days) accept it; a restart issues a new one.
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: ca.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names.map { GeneralName.dnsName($0) })
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: caKeyId)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
    }

    static func write(_ text: String, to path: String, mode: Int) throws {
        let tmp = path + ".tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        chmod(tmp, mode_t(mode))
        guard rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
