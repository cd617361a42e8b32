import AWSWire
import CloudModel
import Testing
@testable import ControlPlane

@Suite struct EC2FilterTests {
    @Test func wildcards() {
        #expect(WildcardPattern("abc").matches("abc"))
        #expect(!WildcardPattern("abc").matches("abcd"))
        #expect(WildcardPattern("a*").matches("a"))
        #expect(WildcardPattern("a*c").matches("abbbc"))
        #expect(!WildcardPattern("a*c").matches("abbbd"))
        #expect(WildcardPattern("a?c").matches("abc"))
        #expect(!WildcardPattern("a?c").matches("ac"))
        #expect(WildcardPattern("*").matches(""))
        #expect(WildcardPattern("*-1?").matches("us-east-1a"))
        #expect(WildcardPattern("a\\*").matches("a*"))
        #expect(!WildcardPattern("a\\*").matches("ab"))
        #expect(WildcardPattern("10.0.*.0/24").matches("10.0.15.0/24"))
    }

    struct Item: Taggable { var name: String; var tags: [CloudModel.Tag] }

    func compile(_ params: [String: String]) throws -> EC2FilterSet<Item> {
        try EC2Filters.compile(QueryParameters(params), tags: { $0.tags }) { ["name": { [$0.name] }] }
    }

    @Test func valuesOrAndFiltersAnd() throws {
        let f = try compile(["Filter.1.Name": "name", "Filter.1.Value.1": "x", "Filter.1.Value.2": "y*",
                             "Filter.2.Name": "tag:env", "Filter.2.Value.1": "prod"])
        #expect(f.matches(Item(name: "yes", tags: [CloudModel.Tag(key: "env", value: "prod")])))
        #expect(!f.matches(Item(name: "yes", tags: [CloudModel.Tag(key: "env", value: "dev")])))
        #expect(!f.matches(Item(name: "no", tags: [CloudModel.Tag(key: "env", value: "prod")])))
    }

    @Test func tagKeyAndValueFilters() throws {
        let item = Item(name: "a", tags: [CloudModel.Tag(key: "Team", value: "core")])
        #expect(try compile(["Filter.1.Name": "tag-key", "Filter.1.Value.1": "Te*"]).matches(item))
        #expect(try !compile(["Filter.1.Name": "tag-key", "Filter.1.Value.1": "team"]).matches(item))
        #expect(try compile(["Filter.1.Name": "tag-value", "Filter.1.Value.1": "co?e"]).matches(item))
        #expect(try !compile(["Filter.1.Name": "tag:Other", "Filter.1.Value.1": "*"]).matches(item))
    }

    @Test func unknownFilterIsInvalidParameterValue() {
        #expect(throws: EC2Errors.unknownFilter("foo")) { try compile(["Filter.1.Name": "foo", "Filter.1.Value.1": "x"]) }
    }

    @Test func paginationIsStableAndOpaque() throws {
        let items = (1...12).map { String(format: "id-%02d", $0) }
        let first = try EC2Pagination.page(items, key: { $0 }, QueryParameters(["MaxResults": "5"]))
        #expect(Array(first.items) == Array(items[0..<5]))
        let token = try #require(first.nextToken)
        #expect(!token.contains("id-05"))
        let second = try EC2Pagination.page(items, key: { $0 }, QueryParameters(["MaxResults": "5", "NextToken": token]))
        #expect(Array(second.items) == Array(items[5..<10]))
        let last = try EC2Pagination.page(items, key: { $0 }, QueryParameters(["MaxResults": "5", "NextToken": second.nextToken!]))
        #expect(last.items.count == 2 && last.nextToken == nil)
        #expect(throws: EC2Errors.maxResultsTooSmall("4", min: 5)) {
            try EC2Pagination.page(items, key: { $0 }, QueryParameters(["MaxResults": "4"]))
        }
    }
}
