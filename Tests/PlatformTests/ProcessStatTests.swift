import Platform
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Process identity")
struct ProcessStatTests {
    /// A stat line whose command name holds spaces and parentheses.
    static let line = "4242 (a (b) c) S 1 2 3 4 5 4194560 7 8 9 10 11 12 13 14 20 0 1 0 987654 0 0\n"

    @Test("fields are counted after the last ')', so command names may hold spaces and parentheses")
    func parse() throws {
        let stat = try #require(ProcessStat.parse(Array(Self.line.utf8)))
        #expect(stat.state == UInt8(ascii: "S"))
        #expect(stat.flags == 4_194_560)
        #expect(stat.startTicks == 987_654)
        #expect(!stat.isZombie && !stat.isDead && !stat.isExiting)
        #expect(ProcessStat.parse(Array("4242 (x) S 1 2".utf8)) == nil)
        #expect(ProcessStat.parse(Array(Self.line.replacingOccurrences(" S ", " Z ").utf8))?.isZombie == true)
    }

    @Test("this process is alive with its start time; a pid with another start time, or none, is not")
    func identity() throws {
        let current = ProcessIdentity.current
        #expect(current.pid == getpid() && current.startTicks > 0)
        #expect(current.isAlive)
        #expect(ProcessIdentity.of(getpid()) == current)
        #expect(!ProcessIdentity(pid: current.pid, startTicks: current.startTicks &+ 1).isAlive)
        #expect(ProcessIdentity.of(999_999_999) == nil)
        #expect(try ProcessStat.read(pid: 999_999_999) == nil)
    }
}

private extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
