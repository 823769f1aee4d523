import Foundation

/// Runs external programs for tests: to completion (`run`) or in the background (`start`).
public enum Command {
    /// The outcome of a program that ran to completion.
    public struct Result: Sendable {
        /// Exit status (or the signal number for a program killed by a signal).
        public let status: Int32
        /// Everything the program wrote to standard output.
        public let output: String
        /// Everything the program wrote to standard error.
        public let errorOutput: String
    }

    /// Runs `arguments[0]` (looked up on PATH when not absolute) and waits for it.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           input: String? = nil, directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = Pipe()
        process.standardInput = inPipe
        try withSignalsUnblocked { try process.run() }
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty program cannot block on a full pipe.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Result(status: process.terminationStatus,
                      output: String(decoding: outData, as: UTF8.self),
                      errorOutput: String(decoding: errData.value, as: UTF8.self))
    }

    /// Runs a program and throws with its output when it exits non-zero.
    @discardableResult
    public static func check(_ arguments: [String], environment: [String: String]? = nil,
                             input: String? = nil, directory: String? = nil) throws -> String {
        let result = try run(arguments, environment: environment, input: input, directory: directory)
        guard result.status == 0 else {
            throw TestSupportError("\(arguments.joined(separator: " ")) exited \(result.status): \(result.errorOutput)\(result.output)")
        }
        return result.output
    }

    /// Starts a program in the background with its standard output and error appended to `logPath`.
    public static func start(_ arguments: [String], environment: [String: String]? = nil,
                             logPath: String, directory: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try withSignalsUnblocked { try process.run() }
        return process
    }

    /// The absolute path of `program`, searched on PATH and in the usual system folders.
    public static func resolve(_ program: String) throws -> String {
        if program.hasPrefix("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(program)") {
            return "\(folder)/\(program)"
        }
        throw TestSupportError("\(program) is not installed (run Deploy/install-deps.sh)")
    }
}

/// Runs `body` (which starts a program) with no signal blocked in the calling thread.
///
/// A child inherits the signal mask of the thread that starts it, and the test runner's threads
/// block SIGTERM, SIGUSR1 and others. Programs that never unblock them (multiwatch's event loop)
/// would then ignore every graceful stop.
private func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
    var all = sigset_t()
    sigfillset(&all)
    var previous = sigset_t()
    pthread_sigmask(SIG_UNBLOCK, &all, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try body()
}

/// Data handed from a reader thread to the waiting thread.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
