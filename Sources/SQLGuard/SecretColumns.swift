/// Columns of system views that hold secrets while the rest of the view is useful: settings set with
/// `ALTER ROLE … SET` (which may be secrets) and the sampled values of the statistics views (which hold
/// password hashes and secret columns once analysed). A query may read the other columns by name; it may
/// not read these, nor the whole row (`r`, `r.*`, `row_to_json(r)`, `SELECT *`).
public enum SecretColumns {
    /// The secret columns of `relation` (in `pg_catalog`), or nil when it has none.
    public static func columns(ofRelation relation: String, schema: String?) -> Set<String>? {
        guard schema == nil || schema?.lowercased() == "pg_catalog" else { return nil }
        return views[relation.lowercased()]
    }

    /// Why reading `column` is refused, worded to finish "reading … is not allowed: ".
    static func reason(relation: String) -> String {
        relation.lowercased().hasPrefix("pg_stats")
            ? "it holds sampled values of the column, which may be password hashes or secrets; null_frac, n_distinct, avg_width and correlation are readable"
            : "it holds settings set with ALTER ROLE … SET, which may be secrets; name the other columns you need"
    }

    /// Sampled values: the most common values and elements, histogram bounds, and a range column's bounds.
    private static let sampledValues: Set<String> = ["most_common_vals", "histogram_bounds", "most_common_elems",
                                                     "range_bounds_histogram"]

    private static let views: [String: Set<String>] = [
        "pg_roles": ["rolconfig"],
        "pg_user": ["useconfig"],
        "pg_stats": sampledValues,
        "pg_stats_ext": ["most_common_vals"],
        "pg_stats_ext_exprs": sampledValues,
    ]
}
