#if canImport(Glibc)
import Glibc
#endif

/// What tells one version of a file from another without reading it: device, inode, size and
/// modification time (nanoseconds). Replacing the file by rename changes the inode; editing it in
/// place changes the time or the size.
struct FileSignature: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int64
    let modifiedNanoseconds: Int64

    /// The signature of the file at `path` (following symbolic links), or nil when it cannot be stat'ed.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
    }
}
