import Postgres
import ToolsCore

/// What PostgreSQL looks up while a query runs, which the stored query does not record: casts to JSON that
/// the JSON functions call, and the operator classes that comparing, sorting, grouping, index scans and
/// partition pruning call.
extension QueryProbe {
    /// The functions that turn any value into JSON look up, while they run, a cast from the value's type to
    /// JSON, which the stored query does not record: when the database has such a cast through a user
    /// function (not an extension's), a query that mentions JSON at all (a JSON function, or a cast to json or
    /// jsonb, which a user cast may route through one) is refused.
    func checkJSONCasts(_ texts: [String]) throws(ToolError) {
        // Any mention: a JSON function by name, or a cast to json/jsonb whose function is one of them.
        guard texts.contains(where: { $0.lowercased().contains("json") }) else { return }
        let found: PostgresResult
        do throws(PostgresError) {
            found = try connection.query(Self.userJSONCastQuery)
        } catch {
            throw ToolError.from(error)
        }
        if found.count > 0, let cast = found.string(0, 0) {
            throw refusal("the query builds JSON, and this database casts a type to JSON through the user function \(cast)(), which JSON functions call for values of that type")
        }
    }

    /// Operator classes run functions the stored query does not record: sorting, grouping, DISTINCT,
    /// GREATEST/LEAST and comparing arrays or rows call the default classes of the types compared, and the
    /// planner and executor call those of the indexes and partition keys of the tables read (index scans,
    /// partition pruning, the planner's look at an index's ends). A class that runs a user function that is
    /// not an extension's, on a type the query can reach (a column of a relation it reads, a type it uses, and
    /// what those are made of) or on an index or partition key of a relation it reads (partitions and
    /// inheriting tables included), is refused.
    func checkOperatorClasses(_ reached: (relations: Set<UInt32>, types: Set<UInt32>)) throws(ToolError) {
        guard !reached.relations.isEmpty || !reached.types.isEmpty else { return }
        let found: PostgresResult
        do throws(PostgresError) {
            let relations = "{" + reached.relations.map(String.init).joined(separator: ",") + "}"
            let types = "{" + reached.types.map(String.init).joined(separator: ",") + "}"
            found = try connection.query(Self.operatorClassQuery, [relations, types])
        } catch {
            throw ToolError.from(error)
        }
        for row in 0..<found.count {
            guard let schema = found.string(row, 0), let name = found.string(row, 1) else { continue }
            if let why = guardLayer.functionRefusal(schema: schema, name: name) {
                let type = found.string(row, 2) ?? "a type"
                throw refusal("an operator class of \(type), which the query would compare, sort, group or scan an index or partitions with, calls \(schema).\(name)(): \(why)")
            }
        }
    }
}
