import CCurl

/// An HTTP/HTTPS client on one libcurl easy handle.
///
/// Use one per thread (it is not Sendable): the handle keeps its connections (and TLS sessions)
/// open between requests, so requests to the same host reuse them. Calls block the calling thread.
/// Redirects are not followed; only http and https URLs are allowed.
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a client; initialises libcurl for the process on first use.
    public init() throws(HTTPClientError) {
        try CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(code: .initFailed, curlCode: 0, message: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sends `request` and returns the whole response (any status; only transport failures throw).
    public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        var tooLarge = false
        do {
            let status = try stream(request, onHead: { _, received in headers = received }, onData: { chunk in
                if body.count + chunk.count > request.maxResponseBytes {
                    tooLarge = true
                    return false
                }
                body.append(contentsOf: chunk)
                return true
            })
            return HTTPClientResponse(status: status, headers: headers, body: body)
        } catch where tooLarge {
            throw HTTPClientError(code: .responseTooLarge, curlCode: error.curlCode,
                                  message: "the response body is over \(request.maxResponseBytes) bytes")
        }
    }

    /// Sends `request` and hands over the response as it arrives: `onHead(status, headers)` once,
    /// then `onData` for each chunk of the body (valid only during the call). Returning false from
    /// `onData` aborts the transfer with `.aborted`. Returns the status.
    public func stream(_ request: HTTPClientRequest,
                       onHead: (Int, [(name: String, value: String)]) -> Void,
                       onData: (UnsafeRawBufferPointer) -> Bool) throws(HTTPClientError) -> Int {
        // The callbacks are only used while curl_easy_perform runs inside this call.
        let result = withoutActuallyEscaping(onHead) { onHead in
            withoutActuallyEscaping(onData) { onData in
                Result { () throws(HTTPClientError) in
                    try perform(request, context: TransferContext(onHead: onHead, onData: onData))
                }
            }
        }
        return try result.get()
    }

    private func perform(_ request: HTTPClientRequest, context: TransferContext) throws(HTTPClientError) -> Int {
        // Reset clears every option of the previous request but keeps the connection cache.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let headerList = HeaderList()
        try configure(request, headers: headerList)
        let unmanaged = Unmanaged.passUnretained(context).toOpaque()
        try set(CCurl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, userdata in
            let context = Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue()
            context.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }), "header callback")
        try set(CCurl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged), "header data")
        try set(CCurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, userdata in
            let context = Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue()
            return context.receiveData(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }), "write callback")
        try set(CCurl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged), "write data")

        let result = withExtendedLifetime((headerList, context)) { curl_easy_perform(handle) }
        if result != CURLE_OK {
            throw failure(result, request: request, abortedByCaller: context.abortedByCaller)
        }
        var status = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        context.finish(status: status)
        return status
    }

    private func configure(_ request: HTTPClientRequest, headers: HeaderList) throws(HTTPClientError) {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPClientError(code: .invalidRequest, curlCode: 0, message: "the method is not an HTTP token")
        }
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

    private func set(_ result: CURLcode, _ what: String) throws(HTTPClientError) {
        if result != CURLE_OK {
            let code: HTTPClientError.Code = result == CURLE_UNSUPPORTED_PROTOCOL || result == CURLE_URL_MALFORMAT ? .invalidRequest : .transferFailed
            throw HTTPClientError(code: code, curlCode: Int32(result.rawValue),
                                  message: "setting the \(what) failed: \(String(cString: curl_easy_strerror(result)))")
        }
    }

    private func failure(_ result: CURLcode, request: HTTPClientRequest, abortedByCaller: Bool) -> HTTPClientError {
        let code: HTTPClientError.Code
        switch result {
        case _ where abortedByCaller:
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
