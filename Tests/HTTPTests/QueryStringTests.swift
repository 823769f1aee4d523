import HTTP
import Testing

@Suite("Query strings")
struct QueryStringTests {
    @Test("percent escapes and plus signs decode; the first repeated value wins")
    func decoding() {
        let query = QueryString.parse("userId=a%40b.c&name=J+Doe&userId=second&flag&bad=%zz&utf=%C3%A9")
        #expect(query["userId"] == "a@b.c")
        #expect(query["name"] == "J Doe")
        #expect(query["flag"] == "")
        #expect(query["bad"] == "%zz")
        #expect(query["utf"] == "é")
    }

    @Test("empty pairs are skipped; a pair splits at its first '='; a name alone has an empty value")
    func splitting() {
        let query = QueryString.parse("&&a=1=2&=x&b&c=&a=3&%41=%3d&d=%4&e=%")
        #expect(query["a"] == "1=2")
        #expect(query[""] == "x")
        #expect(query["b"] == "")
        #expect(query["c"] == "")
        #expect(query["A"] == "=")
        #expect(query["d"] == "%4")
        #expect(query["e"] == "%")
        #expect(query.count == 7)
        #expect(QueryString.parse("").isEmpty)
        #expect(QueryString.decode("a+b%2Bc%ff") == "a b+c\u{FFFD}")
    }
}
