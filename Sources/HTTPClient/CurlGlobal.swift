import CCurl

/// Process-wide libcurl set-up.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a static let runs it exactly once, on first use.
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Initialises libcurl once per process.
    static func initialize() throws(HTTPClientError) {
        if initResult != CURLE_OK {
            throw HTTPClientError(code: .initFailed, curlCode: Int32(initResult.rawValue), message: "curl_global_init failed")
        }
    }
}
