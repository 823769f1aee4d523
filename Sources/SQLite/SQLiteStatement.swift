internal import CSQLite3

/// One compiled SQL statement, owned by the connection's statement cache.
///
/// It is reset and its bindings cleared after every use, so the cache can hand it out again.
final class SQLiteStatement {
    private let statement: OpaquePointer
    private let database: OpaquePointer
    /// For parameter `n` (1-based, PostgreSQL's `$n`), the SQLite parameter index at `n - 1`;
    /// 0 when the statement has no placeholder for it.
    private let parameterIndexes: [Int32]

    /// Compiles `sql`, which must hold exactly one statement (comments and whitespace around it are fine).
    init(database: OpaquePointer, sql: String) throws(SQLiteError) {
        var compiled: OpaquePointer?
        var trailing: OpaquePointer?
        let rc = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(database, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &compiled, &tail)
            // Compile what follows to tell a second statement apart from a trailing comment.
            if rc == SQLITE_OK, let tail, tail.pointee != 0 {
                _ = sqlite3_prepare_v2(database, tail, -1, &trailing, nil)
            }
            return rc
        }
        guard rc == SQLITE_OK else {
            sqlite3_finalize(compiled)
            throw SQLiteError(resultCode: sqlite3_extended_errcode(database),
                              message: String(cString: sqlite3_errmsg(database)))
        }
        if trailing != nil {
            sqlite3_finalize(trailing)
            sqlite3_finalize(compiled)
            throw SQLiteError(code: .misuse, resultCode: SQLITE_MISUSE,
                              message: "the SQL text holds more than one statement")
        }
        guard let compiled else {
            throw SQLiteError(code: .misuse, resultCode: SQLITE_MISUSE, message: "the SQL text holds no statement")
        }
        self.statement = compiled
        self.database = database
        let count = Int(sqlite3_bind_parameter_count(compiled))
        parameterIndexes = count == 0 ? [] : (1...count).map { number in
            var index = sqlite3_bind_parameter_index(compiled, "$\(number)")
            if index == 0 { index = sqlite3_bind_parameter_index(compiled, "?\(number)") }
            // A plain `?` has no name: the n-th value goes to the n-th slot.
            if index == 0, sqlite3_bind_parameter_name(compiled, Int32(number)) == nil { index = Int32(number) }
            return index
        }
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds `parameters`, steps to the end and returns the rows when `collect` is true.
    func execute(_ parameters: [SQLiteValue], collect: Bool) throws(SQLiteError) -> [SQLiteRow] {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(parameters)
        var rows: [SQLiteRow] = []
        var columns: [String]?
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else {
                throw SQLiteError(resultCode: sqlite3_extended_errcode(database),
                                  message: String(cString: sqlite3_errmsg(database)))
            }
            guard collect else { continue }
            let names = columns ?? columnNames()
            columns = names
            rows.append(SQLiteRow(columns: names, values: (0..<Int32(names.count)).map(value(at:))))
        }
    }

    private func bind(_ parameters: [SQLiteValue]) throws(SQLiteError) {
        guard parameters.count == parameterIndexes.count else {
            throw SQLiteError(code: .misuse, resultCode: SQLITE_MISUSE,
                              message: "the statement takes \(parameterIndexes.count) parameters but \(parameters.count) were given")
        }
        for (offset, value) in parameters.enumerated() {
            let index = parameterIndexes[offset]
            guard index > 0 else {
                throw SQLiteError(code: .misuse, resultCode: SQLITE_MISUSE,
                                  message: "the statement has no placeholder $\(offset + 1)")
            }
            let rc = try bind(value, at: index)
            guard rc == SQLITE_OK else {
                throw SQLiteError(resultCode: sqlite3_extended_errcode(database),
                                  message: String(cString: sqlite3_errmsg(database)))
            }
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let number):
            return sqlite3_bind_int64(statement, index, number)
        case .real(let number):
            return sqlite3_bind_double(statement, index, number)
        case .text(let text):
            guard let length = Int32(exactly: text.utf8.count) else { throw Self.tooBig }
            return text.withCString { CSQLite3_bind_text_copy(statement, index, $0, length) }
        case .blob(let bytes):
            guard let length = Int32(exactly: bytes.count) else { throw Self.tooBig }
            // A NULL pointer would bind SQL NULL: an empty blob needs zeroblob(0).
            if bytes.isEmpty { return sqlite3_bind_zeroblob(statement, index, 0) }
            return bytes.withUnsafeBytes { CSQLite3_bind_blob_copy(statement, index, $0.baseAddress, length) }
        }
    }

    private static var tooBig: SQLiteError {
        SQLiteError(code: .tooBig, resultCode: SQLITE_TOOBIG, message: "a parameter is larger than 2 GiB")
    }

    private func columnNames() -> [String] {
        (0..<sqlite3_column_count(statement)).map { column in
            sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
        }
    }

    private func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let text = sqlite3_column_text(statement, column)
            let length = Int(sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: text == nil ? 0 : length), as: UTF8.self))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(statement, column)
            let length = Int(sqlite3_column_bytes(statement, column))
            guard let bytes, length > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default:
            return .null
        }
    }
}
