/// How much of the user's data the model provider receives (`DATA_SHARING`, or a project's `dataSharing`).
///
/// Secret-shaped values are masked at every level (`Redaction.secretShapes`).
public enum DataSharing: String, Sendable, Equatable, CaseIterable {
    /// Only the shape of query results: columns, types, row count and timing; the rows are shown to the user
    /// alone, and values quoted in error texts are hidden. Schema tools are unchanged.
    case schema
    /// Query results with their rows (the default).
    case data

    /// The level named `text` (any case), or nil when it names none.
    public init?(name text: String) {
        self.init(rawValue: text.lowercased())
    }
}
