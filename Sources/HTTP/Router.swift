import Logging

/// Dispatches requests to handlers by exact path and method, and turns every failure into a JSON error:
/// unknown path → 404, known path with another method → 405 with `Allow`, `APIError` → its own status,
/// anything else → 500 (logged with its details, never sent).
public struct Router {
    /// A handler for one method on one path.
    public typealias Handler = (HTTPRequest) throws -> HTTPResponse

    private var routes: [String: [(method: String, handler: Handler)]] = [:]
    private let logger: Logger

    /// Creates an empty router that logs unexpected errors to `logger`.
    public init(logger: Logger) { self.logger = logger }

    /// Registers `handler` for `method` on `path` (a trailing slash on requests is ignored).
    public mutating func add(_ method: String, _ path: String, _ handler: @escaping Handler) {
        routes[Self.normalize(path), default: []].append((method.uppercased(), handler))
    }

    /// Answers `request`; never throws.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        guard let candidates = routes[Self.normalize(request.path)] else {
            return HTTPResponse(error: .notFound(path: request.path))
        }
        guard let handler = candidates.first(where: { $0.method == request.method })?.handler else {
            return HTTPResponse(error: .methodNotAllowed(request.method, allowed: candidates.map(\.method)))
        }
        do {
            return try handler(request)
        } catch let error as APIError {
            if error.status >= 500 {
                logger.warning("request failed", metadata: ["path": "\(request.path)", "status": "\(error.status)", "code": "\(error.code)"])
            }
            return HTTPResponse(error: error)
        } catch {
            logger.error("unexpected error", metadata: ["path": "\(request.path)", "error": "\(String(reflecting: error))"])
            return HTTPResponse(error: .internalError())
        }
    }

    private static func normalize(_ path: String) -> String {
        // On bytes: a trailing "/" is always a character of its own (nothing combines with it).
        path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") ? String(path.dropLast()) : path
    }
}
