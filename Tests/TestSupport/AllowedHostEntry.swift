import Postgres

/// The `ALLOWED_DB_HOSTS` entry that lets a request's connection string reach the server of `url` and nothing
/// else there: `HOST:PORT` (`[IPV6]:PORT`) from the URL, port 5432 when it names none.
public func allowedHostEntry(_ url: String) -> String {
    let info = try? ConnectionInfo(parsing: url)
    let host = info?["host"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
    let port = info?["port"].flatMap { $0.isEmpty ? nil : $0 } ?? "5432"
    return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
