extension String {
    /// `CONTENT_TYPE` → `content-type`: FastCGI header param names back to HTTP header names.
    func replacingUnderscores() -> String {
        let utf8 = self.utf8
        // nginx sends ASCII names: map their bytes (every request has a few); anything else the long way.
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return String(lowercased().map { $0 == "_" ? "-" : $0 }) }
        return String(unsafeUninitializedCapacity: utf8.count) { buffer in
            for (offset, byte) in utf8.enumerated() {
                switch byte {
                case UInt8(ascii: "_"): buffer[offset] = UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[offset] = byte | 0x20
                default: buffer[offset] = byte
                }
            }
            return utf8.count
        }
    }
}
