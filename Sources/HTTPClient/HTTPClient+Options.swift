import CCurl

extension HTTPClient {
    /// Sets every option of one transfer after `curl_easy_reset`.
    func configure(_ request: HTTPClientRequest, headers: HeaderList) throws(HTTPClientError) {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPClientError(code: .invalidRequest, curlCode: 0, message: "the method is not an HTTP token")
        }
        try setTransportOptions(request)
        try setMethodAndBody(request, method: method)
        try setHeaders(request, headers: headers)
    }

    /// The URL, protocols, error buffer, connection and timeout options.
    private func setTransportOptions(_ request: HTTPClientRequest) throws(HTTPClientError) {
        try set(CCurl_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        try set(CCurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        try set(CCurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
        try set(CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "nosignal")  // no SIGALRM in a threaded process
        try set(CCurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "redirects")
        try set(CCurl_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "proxy headers")
        try set(CCurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        try set(CCurl_setopt_long(handle, CURLOPT_TCP_KEEPIDLE, 30), "keepalive idle")
        try set(CCurl_setopt_long(handle, CURLOPT_TCP_KEEPINTVL, 15), "keepalive interval")
        if request.timeoutMilliseconds > 0 {
            try set(CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds), "timeout")
        }
        if request.connectTimeoutMilliseconds > 0 {
            try set(CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds), "connect timeout")
        }
        let idle = request.idleTimeoutMilliseconds > 0 ? request.idleTimeoutMilliseconds : request.timeoutMilliseconds
        if idle > 0 {
            try set(CCurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1), "low speed limit")
            try set(CCurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, (idle + 999) / 1000), "low speed time")
        }
    }

    private func setMethodAndBody(_ request: HTTPClientRequest, method: String) throws(HTTPClientError) {
        switch (method, request.body) {
        case ("GET", nil):
            try set(CCurl_setopt_long(handle, CURLOPT_HTTPGET, 1), "GET")
        case ("HEAD", nil):
            try set(CCurl_setopt_long(handle, CURLOPT_NOBODY, 1), "HEAD")
        default:
            if request.body != nil || method == "POST" {
                let body = request.body ?? []
                try set(CCurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count), "body size")
                // COPYPOSTFIELDS copies the bytes, so the body need not outlive this call.
                let copied = body.withUnsafeBytes { buffer in
                    CCurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                         UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)))
                }
                try set(copied, "body")
            }
            if method != "POST" {
                try set(CCurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "method")
            }
        }
    }

    /// Checks each header and hands the list to libcurl.
    private func setHeaders(_ request: HTTPClientRequest, headers: HeaderList) throws(HTTPClientError) {
        var sendsExpect = false
        for header in request.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isTokenByte),
                  !header.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                throw HTTPClientError(code: .invalidRequest, curlCode: 0, message: "header \(Self.safeName(header.name)) is malformed")
            }
            sendsExpect = sendsExpect || header.name.lowercased() == "expect"
            // "Name;" is libcurl's way to send a header with an empty value.
            guard headers.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)") else {
                throw HTTPClientError(code: .transferFailed, curlCode: 0, message: "out of memory building headers")
            }
        }
        if request.body != nil && !sendsExpect {
            // Without this, libcurl waits for "100 Continue" before sending bodies over 1 MiB.
            _ = headers.append("Expect:")
        }
        if headers.list != nil {
            try set(CCurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers.list), "headers")
        }
    }

    /// Throws when libcurl refuses an option.
    func set(_ result: CURLcode, _ what: String) throws(HTTPClientError) {
        if result != CURLE_OK {
            let code: HTTPClientError.Code = result == CURLE_UNSUPPORTED_PROTOCOL || result == CURLE_URL_MALFORMAT ? .invalidRequest : .transferFailed
            throw HTTPClientError(code: code, curlCode: Int32(result.rawValue),
                                  message: "setting the \(what) failed: \(String(cString: curl_easy_strerror(result)))")
        }
    }

    private static func safeName(_ name: String) -> String {
        name.utf8.allSatisfy(isTokenByte) ? name : "(unprintable)"
    }

    /// RFC 9110 token characters: letters, digits and ``!#$%&'*+-.^_`|~``.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
