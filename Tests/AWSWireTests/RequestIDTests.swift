import AWSWire
import Testing

@Test func requestIDsAreLowerCaseVersion4UUIDs() {
    var seen = Set<String>()
    for _ in 0..<1000 {
        let id = newRequestID()
        let parts = id.split(separator: "-").map(String.init)
        #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
        #expect(id.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase })
        #expect(parts[2].first == "4")
        #expect("89ab".contains(parts[3].first!))
        seen.insert(id)
    }
    #expect(seen.count == 1000)
}
