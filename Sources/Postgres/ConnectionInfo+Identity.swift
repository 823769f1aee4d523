extension ConnectionInfo {
    /// The options that say which server, database and role a connection reaches: `host`, `hostaddr`, `port`,
    /// `dbname` and `user`, in that order and quoted as `keyValueString` quotes them, with libpq's defaults for a
    /// missing port (5432, also for empty entries of a port list) and database (the user's name). No password,
    /// no TLS or other settings: connection strings that differ only in those reach the same database. Two
    /// spellings of one place (`localhost` and `127.0.0.1`) read as different places.
    public var databaseIdentity: String {
        let user = self["user"] ?? ""
        let ports = (self["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "5432" : String($0) }
        let database = self["dbname"].flatMap { $0.isEmpty ? nil : $0 } ?? user
        return ConnectionInfo(options: [
            Option(keyword: "host", value: self["host"] ?? ""), Option(keyword: "hostaddr", value: self["hostaddr"] ?? ""),
            Option(keyword: "port", value: ports.joined(separator: ",")), Option(keyword: "dbname", value: database),
            Option(keyword: "user", value: user),
        ]).keyValueString
    }
}
