import Platform
import Testing

@Suite("EnvironmentReader")
struct EnvironmentReaderTests {
    @Test("integers: unset or empty is the default, out of range or not a number names the variable and the range")
    func integers() throws {
        let reader = EnvironmentReader(["A": "12", "EMPTY": "", "BAD": "lots", "SPACED": " 7 "])
        #expect(try reader.integer("A", default: 1, in: 0...100) == 12)
        #expect(try reader.integer("MISSING", default: 5, in: 0...100) == 5)
        #expect(try reader.integer("EMPTY", in: 0...100) == nil)
        let error = #expect(throws: ConfigurationError.self) { try reader.integer("A", in: 0...10) }
        #expect(error?.description == "A: must be a whole number from 0 to 10")
        #expect(throws: ConfigurationError.self) { try reader.integer("BAD", in: 0...10) }
        #expect(throws: ConfigurationError.self, "spaces count unless trimmed") { try reader.integer("SPACED", in: 0...10) }
        #expect(try EnvironmentReader(["SPACED": " 7 "], trimsSpaces: true).integer("SPACED", in: 0...10) == 7)
        let below = #expect(throws: ConfigurationError.self) { try reader.integer("A", atLeast: 20) }
        #expect(below?.message == "must be an integer ≥ 20")
    }

    @Test("switches: 1/true/0/false in any case, unset is the default, anything else is an error")
    func booleans() throws {
        let reader = EnvironmentReader(["ON": " TRUE ", "OFF": "0", "EMPTY": "", "BAD": "yes"])
        #expect(try reader.boolean("ON", default: false))
        #expect(try !reader.boolean("OFF", default: true))
        #expect(try reader.boolean("EMPTY", default: true))
        #expect(try !reader.boolean("MISSING", default: false))
        let error = #expect(throws: ConfigurationError.self) { try reader.boolean("BAD", default: false) }
        #expect(error?.description == "BAD: must be 1 or 0")
    }

    @Test("lists and strings: entries trimmed, empty ones skipped; an empty value is an empty list but no string")
    func listsAndStrings() {
        let reader = EnvironmentReader(["L": " a, b ,,c ", "E": ""])
        #expect(reader.list("L") == ["a", "b", "c"])
        #expect(reader.list("E") == [])
        #expect(reader.list("MISSING") == nil)
        #expect(reader.string("E") == nil)
        #expect(reader.string("L") == " a, b ,,c ")
        #expect(EnvironmentReader(["L": " x "], trimsSpaces: true).string("L") == "x")
    }
}
