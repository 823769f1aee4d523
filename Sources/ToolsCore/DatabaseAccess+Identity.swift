import Postgres

extension DatabaseAccess {
    /// Which server, database and role this access reaches, without secrets (`ConnectionInfo.databaseIdentity`).
    /// A bare name (not a URI nor `key=value` pairs) is a database name, as libpq reads it. A string libpq
    /// cannot parse is its own identity: it never connects anyway, and callers hash what they keep.
    public var identity: String {
        guard ConnectionInfo.isConnectionString(connectionString) else {
            return ConnectionInfo(options: [.init(keyword: "dbname", value: connectionString)]).databaseIdentity
        }
        do {
            return try ConnectionInfo(parsing: connectionString).databaseIdentity
        } catch {
            return "unparsed " + connectionString
        }
    }
}
