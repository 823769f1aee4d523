import HTTP
import Testing

/// `JSONWriter` must write exactly the bytes `JSONCoding.encode` writes for the same values.
@Suite("JSON writer")
struct JSONWriterTests {
    /// Keys in sorted order, as `JSONCoding` sorts them.
    struct Sample: Encodable {
        let active: Bool
        let count: Int
        let name: String
        let nested: Inner
        let offset: Int64
    }

    struct Inner: Encodable {
        let text: String
    }

    private func written(_ sample: Sample) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("active")
        writer.bool(sample.active)
        writer.key("count")
        writer.integer(sample.count)
        writer.key("name")
        writer.string(sample.name)
        writer.key("nested")
        writer.beginObject()
        writer.key("text")
        writer.string(sample.nested.text)
        writer.endObject()
        writer.key("offset")
        writer.integer(sample.offset)
        writer.endObject()
        return writer.bytes
    }

    @Test("every ASCII character, slashes, non-ASCII text and numbers come out as JSONEncoder writes them")
    func sameBytesAsTheEncoder() throws {
        let everyASCII = String(decoding: (0...127).map { UInt8($0) }, as: UTF8.self)
        let texts = ["", "plain", everyASCII, "a/b\\c\"d", "é ü 中文 😀 \u{2028}\u{2029}", "\u{7F}\u{1F}\u{0}", "\u{301}combining"]
        for (index, text) in texts.enumerated() {
            let sample = Sample(active: index % 2 == 0, count: index - 3, name: text, nested: Inner(text: text.uppercased()),
                                offset: Int64.min + Int64(index))
            #expect(written(sample) == (try JSONCoding.encode(sample)), "text #\(index)")
        }
    }

    @Test("null and an empty object")
    func nullAndEmpty() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.null()
        writer.key("b")
        writer.beginObject()
        writer.endObject()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":null,"b":{}}"#)
    }
}
