import Crypto
import Foundation

/// Key pairs as EC2 makes and reads them: new keys come from `ssh-keygen` (RSA 2048 as PKCS#1 PEM, ed25519 in
/// OpenSSH's format), and fingerprints are computed as AWS documents them: SHA-1 of the private key's PKCS#8 DER
/// for RSA keys EC2 created, MD5 of the public key's SubjectPublicKeyInfo DER for imported RSA keys, and the
/// base64 SHA-256 of the OpenSSH public key blob for ed25519 keys.
enum KeyMaterial {
    /// A key's public side: its type, the OpenSSH blob, and its fingerprint.
    struct PublicKey {
        var type: String
        var blob: Data
        var fingerprint: String
        func line(comment: String) -> String {
            (type == "rsa" ? "ssh-rsa " : "ssh-ed25519 ") + blob.base64EncodedString() + " " + comment
        }
    }

    /// Generates a key pair; returns the private key text EC2 hands out and the public side.
    static func generate(type: String) throws -> (privateKey: String, publicKey: PublicKey) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lv-key-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("key")
        let args = type == "rsa" ? ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "", "-f", file.path]
                                 : ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file.path]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        p.arguments = args
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw EC2Errors.keyGenerationFailed("ssh-keygen could not run") }
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let privateText = try? String(contentsOf: file, encoding: .utf8),
              let publicText = try? String(contentsOf: dir.appendingPathComponent("key.pub"), encoding: .utf8),
              var pub = parse(publicText) else {
            throw EC2Errors.keyGenerationFailed("ssh-keygen failed")
        }
        if type == "rsa" {
            guard let pkcs1 = pemBody(privateText) else { throw EC2Errors.keyGenerationFailed("unreadable RSA key") }
            pub.fingerprint = colonHex(Insecure.SHA1.hash(data: pkcs8(pkcs1)))
        }
        return (privateText.trimmingCharacters(in: .whitespacesAndNewlines), pub)
    }

    /// Reads an OpenSSH public key line (`ssh-rsa AAAA… comment` or `ssh-ed25519 …`); nil when it is not one.
    /// An RSA key's fingerprint is the imported-key one (MD5 of SubjectPublicKeyInfo).
    static func parse(_ text: String) -> PublicKey? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])) else { return nil }
        var reader = SSHReader(blob)
        guard let name = reader.string(), String(decoding: name, as: UTF8.self) == String(fields[0]) else { return nil }
        switch String(fields[0]) {
        case "ssh-ed25519":
            guard let key = reader.string(), key.count == 32, reader.atEnd else { return nil }
            return PublicKey(type: "ed25519", blob: blob, fingerprint: Data(SHA256.hash(data: blob)).base64EncodedString())
        case "ssh-rsa":
            guard let e = reader.string(), let n = reader.string(), reader.atEnd, !e.isEmpty, n.count >= 128 else { return nil }
            let rsaKey = der(0x30, der(0x02, n) + der(0x02, e))
            let spki = der(0x30, rsaAlgorithm + der(0x03, Data([0]) + rsaKey))
            return PublicKey(type: "rsa", blob: blob, fingerprint: colonHex(Insecure.MD5.hash(data: spki)))
        default:
            return nil
        }
    }

    /// `AlgorithmIdentifier { rsaEncryption, NULL }`.
    static let rsaAlgorithm = der(0x30, der(0x06, Data([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01])) + Data([0x05, 0x00]))

    /// Wraps a PKCS#1 RSAPrivateKey in PKCS#8's PrivateKeyInfo.
    static func pkcs8(_ pkcs1: Data) -> Data {
        der(0x30, der(0x02, Data([0])) + rsaAlgorithm + der(0x04, pkcs1))
    }

    /// One DER element: tag, definite length, contents.
    static func der(_ tag: UInt8, _ body: Data) -> Data {
        var out = Data([tag])
        let n = body.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var bytes: [UInt8] = []
            var v = n
            while v > 0 { bytes.insert(UInt8(v & 0xff), at: 0); v >>= 8 }
            out.append(0x80 | UInt8(bytes.count))
            out.append(contentsOf: bytes)
        }
        return out + body
    }

    static func pemBody(_ pem: String) -> Data? {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: body)
    }

    static func colonHex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: ":")
    }

    /// Reads the length-prefixed strings of an SSH wire blob.
    struct SSHReader {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = [UInt8](data) }
        var atEnd: Bool { offset == bytes.count }
        mutating func string() -> Data? {
            guard bytes.count - offset >= 4 else { return nil }
            let n = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard n <= bytes.count - offset else { return nil }
            defer { offset += n }
            return Data(bytes[offset..<offset + n])
        }
    }
}
