import Glibc

/// NUL-terminated copies of Swift strings for C functions that take `const char *const *`.
///
/// libpq reads the array during the call only; the copies are freed with the array.
final class CStringArray {
    private let pointers: [UnsafeMutablePointer<CChar>?]

    /// Copies `strings`; nil entries stay NULL pointers (SQL NULL for parameters).
    init(_ strings: [String?]) {
        pointers = strings.map { $0.flatMap { strdup($0) } }
    }

    deinit { pointers.forEach { free($0) } }

    /// Calls `body` with a pointer to the array (nil when it is empty), valid only during the call.
    func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        pointers.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
