extension String {
    /// The text in Unicode Normalization Form C: canonically equal spellings (an "é" as one code point, or as
    /// "e" and a combining accent) become the same bytes. User ids are kept in this form from where they enter
    /// (a request's `userId`, nginx's `AUTH_USER`, the command line), because the store compares bytes while
    /// Swift compares strings canonically: two spellings must never be two users to one and one user to the other.
    public var nfc: String {
        // ASCII is NFC already: the usual case, checked on bytes.
        if utf8.allSatisfy({ $0 < 0x80 }) { return self }
        // The standard library's own normalizer (the one behind String comparison). FoundationEssentials has no
        // public one on Linux, and Foundation's precomposedStringWithCanonicalMapping would bring in ICU.
        return String(decoding: _nfcCodeUnits, as: UTF8.self)
    }
}
