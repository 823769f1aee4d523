@testable import QueryTools
@testable import SchemaTools
import Testing
@testable import ToolsCore
@testable import TrashTools

@Suite("close matches for unknown names")
struct CatalogCloseMatchesTests {
    private let candidates = [("public", "customer"), ("sales", "customer_address"), ("public", "orders"),
                              ("sales", "order_items"), ("public", "Customer"), ("auth", "users")]
        .map { CloseMatches.Candidate(schema: $0.0, name: $0.1) }

    @Test("edit distance counts insertions, deletions and substitutions")
    func editDistance() {
        #expect(CloseMatches.editDistance("custmer", "customer") == 1)
        #expect(CloseMatches.editDistance("kitten", "sitting") == 3)
        #expect(CloseMatches.editDistance("", "abc") == 3)
        #expect(CloseMatches.editDistance("naïve", "naive") == 1)
    }

    @Test("the closest names come first, ignoring case, and far ones are left out")
    func ranking() {
        let matches = CloseMatches.best(for: "custmer", among: candidates)
        #expect(matches.prefix(2).map(\.name) == ["customer", "Customer"])
        #expect(!matches.contains { $0.name == "users" })
        #expect(CloseMatches.best(for: "order", among: candidates).first?.name == "orders")
        #expect(CloseMatches.best(for: "qqqqqqqq", among: candidates).isEmpty)
        #expect(CloseMatches.best(for: "", among: candidates).isEmpty)
    }

    @Test("a name contained in another counts as close")
    func containment() {
        let matches = CloseMatches.best(for: "address", among: candidates)
        #expect(matches.map(\.name) == ["customer_address"])
    }

    @Test("at most the limit, and ties prefer the schema asked for")
    func limitAndSchema() {
        let many = (1...20).map { CloseMatches.Candidate(schema: "s\($0)", name: "item") }
        #expect(CloseMatches.best(for: "items", among: many).count == 5)
        let tie = [CloseMatches.Candidate(schema: "a", name: "orders"), CloseMatches.Candidate(schema: "b", name: "orders")]
        #expect(CloseMatches.best(for: "order", among: tie, preferredSchema: "b").first?.schema == "b")
    }
}
