internal import CLibPQ

extension PostgresResult {
    /// Copies everything out of a successful libpq result (which the caller still owns).
    init(copying result: OpaquePointer) {
        let fieldCount = PQnfields(result)
        let columns = (0..<fieldCount).map { field in
            PostgresColumn(name: String(cString: PQfname(result, field)), typeOID: PQftype(result, field))
        }
        let rows = (0..<PQntuples(result)).map { row in
            (0..<fieldCount).map { field -> String? in
                guard PQgetisnull(result, row, field) == 0, let value = PQgetvalue(result, row, field) else { return nil }
                let length = Int(PQgetlength(result, row, field))
                return String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)
            }
        }
        self.init(columns: columns, rows: rows,
                  affectedRows: PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0,
                  commandTag: PQcmdStatus(result).map { String(cString: $0) } ?? "")
    }
}
