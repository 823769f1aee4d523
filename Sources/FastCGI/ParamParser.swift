/// Collects `NAME=value` entries (the CGI environment, libfcgi's `envp`) into a dictionary, working on
/// their UTF-8 bytes: every request parses some 20–30 of them, so this sits on the hot path.
///
/// The first occurrence of a name wins; a name whose first value is empty is absent from the result
/// (empty means absent). Invalid UTF-8 is repaired with U+FFFD, as `String(cString:)` does.
struct ParamParser {
    private var params: [String: String] = Dictionary(minimumCapacity: 32)
    /// Names whose first value was empty: removed at the end, so a later value cannot replace them.
    private var emptyNames: [String] = []

    /// Adds one `NAME=value` entry; an entry without `=` is ignored.
    mutating func add(_ entry: UnsafeBufferPointer<UInt8>) {
        guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return }
        let name = String(decoding: UnsafeBufferPointer(rebasing: entry[..<equals]), as: UTF8.self)
        guard params[name] == nil else { return }
        let value = String(decoding: UnsafeBufferPointer(rebasing: entry[(equals + 1)...]), as: UTF8.self)
        params[name] = value
        if value.isEmpty { emptyNames.append(name) }
    }

    /// The parameters collected, without those whose value is empty.
    mutating func finish() -> [String: String] {
        for name in emptyNames { params.removeValue(forKey: name) }
        return params
    }
}
