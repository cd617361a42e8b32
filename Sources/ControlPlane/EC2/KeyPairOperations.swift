import AWSWire
import CloudModel
import Foundation

/// Key pairs: CreateKeyPair (the private key is returned once and never stored), ImportKeyPair,
/// DescribeKeyPairs, DeleteKeyPair. Names are unique per region; ids are `key-` + 17 hex digits.
extension EC2Service {
    func createKeyPair(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try keyName(p)
        let type = p["KeyType"] ?? "rsa"
        guard type == "rsa" || type == "ed25519" else {
            throw EC2Errors.invalidParameterValue("Value (\(type)) for parameter keyType is invalid. Valid values are rsa, ed25519.")
        }
        let format = p["KeyFormat"] ?? "pem"
        guard format == "pem" else {
            throw EC2Errors.invalidParameterValue("Value (\(format)) for parameter keyFormat is invalid. This server creates pem keys only.")
        }
        let tags = try tagSpecifications(p, resourceType: "key-pair")
        // Validate (and answer DryRun) before spending a key generation.
        try Self.checkKeyNameFree(name, in: store.snapshot())
        if isDryRun(p) { throw EC2Errors.dryRun }
        let (privateKey, pub) = try KeyMaterial.generate(type: type)
        let pair = try store.write { tx -> KeyPair in
            try Self.checkKeyNameFree(name, in: tx.state)
            let pair = KeyPair(id: ResourceID.make("key"), name: name, keyType: type, fingerprint: pub.fingerprint,
                               publicKey: pub.line(comment: name), createdAt: tx.now, tags: tags)
            tx.put(pair)
            return pair
        }
        return EC2XML.response("CreateKeyPair", requestID: ctx.requestID) { w in
            w.element("keyName", pair.name)
            w.element("keyFingerprint", pair.fingerprint)
            w.element("keyMaterial", privateKey)
            w.element("keyPairId", pair.id)
            EC2XML.tagSet(&w, pair.tags)
        }
    }

    func importKeyPair(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try keyName(p)
        let material = try required(p, "PublicKeyMaterial", as: "publicKeyMaterial")
        // The Query protocol carries the blob base64-encoded; the key file inside is text.
        guard let bytes = Data(base64Encoded: material), let text = String(data: bytes, encoding: .utf8),
              let pub = KeyMaterial.parse(text) else { throw EC2Errors.keyFormat() }
        let tags = try tagSpecifications(p, resourceType: "key-pair")
        let pair = try mutate(p) { tx -> KeyPair in
            try Self.checkKeyNameFree(name, in: tx.state)
            let pair = KeyPair(id: ResourceID.make("key"), name: name, keyType: pub.type, fingerprint: pub.fingerprint,
                               publicKey: pub.line(comment: name), createdAt: tx.now, tags: tags)
            tx.put(pair)
            return pair
        }
        return EC2XML.response("ImportKeyPair", requestID: ctx.requestID) { w in
            w.element("keyFingerprint", pair.fingerprint)
            w.element("keyName", pair.name)
            w.element("keyPairId", pair.id)
            EC2XML.tagSet(&w, pair.tags)
        }
    }

    func describeKeyPairs(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (k: KeyPair) in k.tags }) {
            [
                "key-pair-id": { [$0.id] }, "key-name": { [$0.name] },
                "fingerprint": { [$0.fingerprint] }, "key-type": { [$0.keyType] },
            ]
        }
        var pairs = Array(s.keyPairs.values)
        let names = p.list("KeyName"), ids = p.list("KeyPairId")
        if !names.isEmpty || !ids.isEmpty {
            for n in names where !pairs.contains(where: { $0.name == n }) { throw EC2Errors.keyPairNotFound(n) }
            for i in ids where s.keyPairs[i] == nil { throw EC2Errors.keyPairNotFound(i) }
            pairs = pairs.filter { names.contains($0.name) || ids.contains($0.id) }
        }
        pairs = pairs.filter(filter.matches).sorted { $0.name < $1.name }
        let includePublic = p["IncludePublicKey"]?.lowercased() == "true"
        return EC2XML.response("DescribeKeyPairs", requestID: ctx.requestID) { w in
            w.list("keySet", pairs) { w, k in
                w.element("keyPairId", k.id)
                w.element("keyType", k.keyType)
                EC2XML.tagSet(&w, k.tags)
                if includePublic { w.element("publicKey", k.publicKey) }
                w.element("createTime", EC2XML.timestamp(k.createdAt))
                w.element("keyName", k.name)
                w.element("keyFingerprint", k.fingerprint)
            }
        }
    }

    /// Deleting by a name that does not exist succeeds, as on EC2; an unknown id is an error.
    func deleteKeyPair(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = p["KeyName"].flatMap { $0.isEmpty ? nil : $0 }
        let id = p["KeyPairId"].flatMap { $0.isEmpty ? nil : $0 }
        guard name != nil || id != nil else { throw EC2Errors.missingParameter("KeyName or KeyPairId") }
        let deleted = try mutate(p) { tx -> String? in
            let pair: KeyPair?
            if let id {
                guard let found = tx.state.keyPairs[id] else { throw EC2Errors.keyPairNotFound(id) }
                pair = found
            } else {
                pair = tx.state.keyPairs.values.first { $0.name == name }
            }
            if let pair { tx.delete(KeyPair.self, pair.id) }
            return pair?.id
        }
        return EC2XML.response("DeleteKeyPair", requestID: ctx.requestID) { w in
            w.element("return", true)
            w.element("keyPairId", deleted)
        }
    }

    func keyName(_ p: QueryParameters) throws -> String {
        let name = try required(p, "KeyName", as: "KeyName")
        guard name.count <= 255, name.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
            throw EC2Errors.invalidParameterValue("Value (\(name)) for parameter keyName is invalid. Key names must be 255 ASCII characters or fewer.")
        }
        return name
    }

    static func checkKeyNameFree(_ name: String, in s: CloudState) throws {
        if s.keyPairs.values.contains(where: { $0.name == name }) { throw EC2Errors.keyPairDuplicate(name) }
    }
}
