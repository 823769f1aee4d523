/// The checked SQL, for turning the parse tree's byte offsets into the positions people see.
struct SourceText {
    private let utf8: String.UTF8View

    init(_ sql: String) {
        utf8 = sql.utf8
    }

    /// The 1-based character position of a 0-based byte offset, counting characters as PostgreSQL
    /// does (one per Unicode scalar).
    func position(ofByte offset: Int) -> Int {
        var position = 1
        for byte in utf8.prefix(offset) where byte & 0xC0 != 0x80 {
            position += 1
        }
        return position
    }

    /// The byte offset of the first byte at or after `offset` that is not ASCII white space.
    func skippingWhitespace(from offset: Int) -> Int {
        var index = offset
        for byte in utf8.dropFirst(offset) {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                index += 1
            default:
                return index
            }
        }
        return index
    }
}
