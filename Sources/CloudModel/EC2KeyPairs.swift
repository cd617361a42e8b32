import Foundation

/// An EC2 key pair: the public half and its fingerprint (the private half is handed out once, never kept).
public struct KeyPair: Record, Taggable {
    public static let kind = "ec2.key-pair"
    public static var table: WritableKeyPath<CloudState, [String: KeyPair]> { \.keyPairs }
    public var id: String
    public var name: String
    /// `rsa` or `ed25519`.
    public var keyType: String
    public var fingerprint: String
    /// OpenSSH public key line (`ssh-ed25519 AAAA…`), as DescribeKeyPairs' IncludePublicKey returns it.
    public var publicKey: String
    public var createdAt: Date
    public var tags: [Tag]

    public init(id: String, name: String, keyType: String, fingerprint: String, publicKey: String, createdAt: Date, tags: [Tag]) {
        self.id = id; self.name = name; self.keyType = keyType; self.fingerprint = fingerprint
        self.publicKey = publicKey; self.createdAt = createdAt; self.tags = tags
    }
}
