import HTTP

extension APIError.Code {
    /// The user reached a per-user rate limit (also what nginx's own request limit answers).
    public static let rateLimited = APIError.Code(rawValue: "rate_limited")
}
