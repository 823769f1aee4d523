/// Relation names close to one that was not found, so the model can correct a misspelling
/// ("custmer" → "customer") without listing every table.
enum CloseMatches {
    /// A relation that exists.
    struct Candidate: Equatable, Sendable {
        let schema: String
        let name: String
    }

    /// Up to `limit` candidates whose names are within a few edits of `query` (ignoring case) or
    /// contain it (or are contained in it), closest first; ties prefer the same case, then
    /// `preferredSchema`, then `public`.
    static func best(for query: String, among candidates: [Candidate], preferredSchema: String? = nil,
                     limit: Int = 5) -> [Candidate] {
        let wanted = Array(query.lowercased().unicodeScalars)
        guard !wanted.isEmpty else { return [] }
        let allowedEdits = max(2, wanted.count / 3)
        var scored: [(distance: Int, caseDistance: Int, candidate: Candidate)] = []
        for candidate in candidates {
            let name = Array(candidate.name.lowercased().unicodeScalars)
            let overlaps = wanted.count >= 3 && name.count >= 3
                && (contains(name, wanted) || contains(wanted, name))
            if !overlaps && abs(name.count - wanted.count) > allowedEdits { continue }
            let distance = editDistance(wanted, name)
            if distance <= allowedEdits || overlaps {
                scored.append((distance, editDistance(query, candidate.name), candidate))
            }
        }
        func rank(_ candidate: Candidate) -> Int {
            if candidate.schema == preferredSchema { return 0 }
            return candidate.schema == "public" ? 1 : 2
        }
        scored.sort { left, right in
            if left.distance != right.distance { return left.distance < right.distance }
            if left.caseDistance != right.caseDistance { return left.caseDistance < right.caseDistance }
            let (leftRank, rightRank) = (rank(left.candidate), rank(right.candidate))
            if leftRank != rightRank { return leftRank < rightRank }
            if left.candidate.schema != right.candidate.schema { return left.candidate.schema < right.candidate.schema }
            return left.candidate.name < right.candidate.name
        }
        return scored.prefix(limit).map(\.candidate)
    }

    /// The Levenshtein distance: the fewest single-character insertions, deletions and substitutions
    /// that turn `a` into `b`.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The distance between two strings, compared as Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    private static func contains(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
