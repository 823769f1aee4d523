public import JSON
internal import CPgQuery
import Glibc
import Platform

/// PostgreSQL's own parser (libpg_query, PostgreSQL 15): SQL text in, the raw parse tree out.
///
/// The tree is libpg_query's JSON, e.g. `{"version":150001,"stmts":[{"stmt":{"SelectStmt":{…}},
/// "stmt_len":8}]}`: each node is an object with one member named after the node type; `location`
/// members are 0-based byte offsets into the query. Safe to call from many threads at once.
public enum PgQuery {
    /// The longest query accepted, in bytes of UTF-8 (1 MiB).
    public static let maximumQueryLength = 1 << 20

    /// The deepest nesting of JSON objects and arrays accepted in a parse tree. An expression level
    /// takes about two, so this allows a chain of roughly 490 operators such as `a + b + …`.
    public static let maximumTreeDepth = 1000

    /// libpg_query turns its tree into JSON by recursion without a depth check, and a tree level
    /// can take as little as two or three bytes of SQL (`+1`, `f(…)`): up to about 85 bytes of C stack
    /// per byte of query were measured. Queries up to `inlineQueryLength` bytes (at most ~0.5 MiB of
    /// stack) are parsed on the calling thread (8 MiB by default on Linux, for pthreads and for
    /// Swift's executors alike); longer ones on a thread of their own with 128 bytes of stack per query
    /// byte on top of a base. A fresh thread costs about 0.15 ms, mostly libpg_query's per-thread
    /// set-up, so it is kept for the rare long query.
    private static let inlineQueryLength = 4096
    private static let baseStackBytes = 1 << 20
    private static let stackBytesPerQueryByte = 128

    /// Parses `sql` (any number of statements, including none) into libpg_query's JSON parse tree.
    ///
    /// Throws a `PgQueryError` for a syntax error (with PostgreSQL's message and cursor position),
    /// for a query containing a NUL character or longer than `maximumQueryLength`, and for a tree
    /// nested deeper than `maximumTreeDepth`.
    public static func parse(_ sql: String) throws(PgQueryError) -> JSONValue {
        if let nul = sql.unicodeScalars.firstIndex(of: "\0") {
            let position = sql.unicodeScalars.distance(from: sql.unicodeScalars.startIndex, to: nul) + 1
            throw PgQueryError(message: "the query contains a NUL character", cursorPosition: position)
        }
        let length = sql.utf8.count
        guard length <= maximumQueryLength else {
            throw PgQueryError(message: "the query is too long to check (\(length) bytes; at most \(maximumQueryLength))")
        }

        var outcome: Result<JSONValue, PgQueryError>?
        sql.withCString { text in
            if length <= inlineQueryLength {
                outcome = parseOnCurrentThread(text)
            } else {
                let stackBytes = baseStackBytes + stackBytesPerQueryByte * length
                // libpg_query turns its parse tree into JSON by recursion without a depth check, so a long chain
                // such as `1+1+1+…` would overflow the caller's stack (512 KiB on some thread pools) and kill the
                // process. The stack is reserved address space; only the pages the parser touches are used.
                try? NativeThread.run(stackBytes: stackBytes) { outcome = parseOnCurrentThread(text) }
            }
        }
        guard let outcome else {
            throw PgQueryError(message: "could not start a thread for the SQL parser")
        }
        return try outcome.get()
    }

    /// Calls libpg_query and reads its JSON.
    private static func parseOnCurrentThread(_ text: UnsafePointer<CChar>) -> Result<JSONValue, PgQueryError> {
        let result = pg_query_parse(text)
        defer { pg_query_free_parse_result(result) }
        if let error = result.error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "syntax error"
            let cursor = Int(error.pointee.cursorpos)
            return .failure(PgQueryError(message: message, cursorPosition: cursor > 0 ? cursor : nil))
        }
        guard let tree = result.parse_tree else {
            return .failure(PgQueryError(message: "the SQL parser returned no parse tree"))
        }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(tree).assumingMemoryBound(to: UInt8.self),
                                        count: strlen(tree))
        do throws(ParseTreeReader.Failure) {
            return .success(try ParseTreeReader.read(bytes, maximumDepth: maximumTreeDepth))
        } catch {
            switch error {
            case .tooDeep:
                return .failure(PgQueryError(message:
                    "the statement is nested too deeply to check (its parse tree has more than \(maximumTreeDepth) levels)"))
            case .malformed(let offset):
                return .failure(PgQueryError(message: "the SQL parser returned malformed JSON (at byte \(offset))"))
            }
        }
    }
}
