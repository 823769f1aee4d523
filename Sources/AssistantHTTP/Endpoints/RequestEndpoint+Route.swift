import Operations

extension RequestEndpoint {
    /// The route of `method` and `path`, matched exactly as the router matches it.
    init(method: String, path: String) {
        let prefix = Self.routePrefix
        guard path.utf8.starts(with: prefix.utf8) else {
            self = .other
            return
        }
        // Compared on bytes, as the router does (and no character is counted: every request comes here).
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        let route = Self.allCases.first { $0 != .other && $0.method == method && rest.elementsEqual($0.name.utf8) }
        self = route ?? .other
    }

    /// The API prefix with its trailing slash, built once.
    private static let routePrefix = AssistantAPI.prefix + "/"
}
