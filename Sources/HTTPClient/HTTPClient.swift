import CCurl

/// An HTTP/HTTPS client on one libcurl easy handle.
///
/// Use one per thread (it is not Sendable): the handle keeps its connections (and TLS sessions)
/// open between requests, so requests to the same host reuse them. Calls block the calling thread.
/// Redirects are not followed; only http and https URLs are allowed.
public final class HTTPClient {
    /// The easy handle (`CURL *`), owned by this client.
    let handle: UnsafeMutableRawPointer
    /// libcurl writes its detailed error text here (CURL_ERROR_SIZE bytes).
    let errorBuffer: UnsafeMutablePointer<CChar>

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
                    try perform(request, context: TransferContext(onHead: onHead, onData: onData,
                                                                  isCancelled: request.isCancelled))
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
        if request.isCancelled != nil {
            guard !context.checkCancelled() else {
                throw HTTPClientError(code: .cancelled, curlCode: 0, message: "the request was cancelled before it started")
            }
            // libcurl calls this whenever data moves and about once a second while the transfer waits.
            try set(CCurl_setopt_progress_callback(handle, { userdata, _, _, _, _ in
                let context = Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue()
                return context.checkCancelled() ? 1 : 0
            }), "progress callback")
            try set(CCurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, unmanaged), "progress data")
            try set(CCurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0), "progress")
        }

        let result = withExtendedLifetime((headerList, context)) { curl_easy_perform(handle) }
        if result != CURLE_OK {
            throw failure(result, request: request, context: context)
        }
        var status = 0
        _ = CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        context.finish(status: status)
        return status
    }
}
