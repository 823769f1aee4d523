/// The kinds of relation the catalog tools show, named as the model sees them.
package enum RelationKind: String, CaseIterable, Sendable {
    case table
    case partitionedTable = "partitioned_table"
    case view
    case materializedView = "materialized_view"
    case foreignTable = "foreign_table"

    /// The kind of a `pg_class.relkind` letter, or nil for the kinds never shown (indexes,
    /// sequences, TOAST tables, composite types).
    package init?(relkind: String) {
        switch relkind {
        case "r": self = .table
        case "p": self = .partitionedTable
        case "v": self = .view
        case "m": self = .materializedView
        case "f": self = .foreignTable
        default: return nil
        }
    }

    /// The `pg_class.relkind` letter.
    var relkind: String {
        switch self {
        case .table: "r"
        case .partitionedTable: "p"
        case .view: "v"
        case .materializedView: "m"
        case .foreignTable: "f"
        }
    }

    /// `{r,p,v,m,f}` for the kinds given, as a PostgreSQL `"char"[]` literal.
    package static func relkindArray(_ kinds: [RelationKind]) -> String {
        "{" + kinds.map(\.relkind).joined(separator: ",") + "}"
    }
}
