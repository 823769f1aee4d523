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
}
