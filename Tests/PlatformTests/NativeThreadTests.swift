import Platform
import Synchronization
import Testing

@Suite("NativeThread")
struct NativeThreadTests {
    @Test("start runs the closure on another thread; join waits for it")
    func startAndJoin() throws {
        let ran = Atomic<Int>(0)
        let thread = try NativeThread.start { ran.store(1, ordering: .releasing) }
        thread.join()
        #expect(ran.load(ordering: .acquiring) == 1)
    }

    @Test("run with a large stack survives deep recursion and returns after the closure")
    func largeStack() throws {
        func depth(_ n: Int) -> Int {
            var padding = (0, 0, 0, 0, 0, 0, 0, 0)
            padding.0 = n
            return n == 0 ? withUnsafePointer(to: &padding) { $0.pointee.0 } : depth(n - 1) + 1
        }
        var result = 0
        try NativeThread.run(stackBytes: 64 * 1024 * 1024) { result = depth(200_000) }
        #expect(result == 200_000)
    }

    @Test("errors name the call and the reason")
    func errorText() {
        #expect(NativeThreadError(call: "pthread_create", code: 11).description
                == "pthread_create failed: Resource temporarily unavailable")
    }
}
