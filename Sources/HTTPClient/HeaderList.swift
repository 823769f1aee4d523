import CCurl

/// A `curl_slist` of request header lines, freed in deinit.
final class HeaderList {
    private(set) var list: UnsafeMutablePointer<curl_slist>?

    /// Appends one line such as `Name: value`; false when libcurl is out of memory.
    func append(_ line: String) -> Bool {
        guard let appended = curl_slist_append(list, line) else { return false }
        list = appended
        return true
    }

    deinit {
        curl_slist_free_all(list)
    }
}
