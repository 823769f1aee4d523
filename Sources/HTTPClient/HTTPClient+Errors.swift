import CCurl

extension HTTPClient {
    /// Turns a failed transfer into an error whose message is free of secrets.
    func failure(_ result: CURLcode, request: HTTPClientRequest, context: TransferContext) -> HTTPClientError {
        let code: HTTPClientError.Code
        switch result {
        case _ where context.cancelled:
            code = .cancelled
        case _ where context.abortedByCaller:
            code = .aborted
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            code = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            code = .timedOut
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT:
            code = .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK:
            code = .aborted
        default:
            code = .transferFailed
        }
        var message = String(cString: curl_easy_strerror(result))
        let detail = String(cString: errorBuffer)
        if !detail.isEmpty { message += ": " + detail }
        return HTTPClientError(code: code, curlCode: Int32(result.rawValue), message: Self.redact(message, for: request))
    }

    /// Removes the URL's user info and every header value from a libcurl message.
    static func redact(_ message: String, for request: HTTPClientRequest) -> String {
        var secrets = request.headers.map(\.value)
        if let scheme = request.url.firstRange(of: "://") {
            let authority = request.url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                secrets.append(String(userInfo))
                secrets += userInfo.split(separator: ":").map(String.init)
            }
        }
        var redacted = message
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 3 {
            redacted = redacted.replacing(secret, with: "[redacted]")
        }
        return redacted
    }
}
