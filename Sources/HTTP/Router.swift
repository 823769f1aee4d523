import Logging

/// Dispatches requests to handlers by exact path and method, and turns every failure into a JSON error:
/// unknown path → 404, known path with another method → 405 with `Allow`, `APIError` → its own status,
/// anything else → 500 (logged with its details, never sent).
///
/// One route, one spelling: a path matches only as registered, byte for byte. `/metrics/`, `/metrics//` or
/// `/metrics/.` are not `/metrics`, so a front server's rule written for the exact path (nginx's
/// `location =`) cannot be sidestepped by a spelling that it does not match and the router would.
public struct Router {
    /// A handler for one method on one path.
    public typealias Handler = (HTTPRequest) throws -> HTTPResponse

    private var routes: [String: Route] = [:]
    private let logger: Logger

    /// Creates an empty router that logs unexpected errors to `logger`.
    public init(logger: Logger) { self.logger = logger }

    /// Registers `handler` for `method` on exactly `path`.
    public mutating func add(_ method: String, _ path: String, _ handler: @escaping Handler) {
        routes[path, default: Route(path: path)].handlers.append((method.uppercased(), handler))
    }

    /// Answers `request`; never throws.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        // String equality is canonical equivalence (a Kelvin sign equals "K"): the bytes must match too.
        guard let candidates = routes[request.path].flatMap({ $0.path.utf8.elementsEqual(request.path.utf8) ? $0.handlers : nil })
        else {
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

    /// The handlers registered on one path, with the path as registered.
    private struct Route {
        let path: String
        var handlers: [(method: String, handler: Handler)] = []
    }
}
