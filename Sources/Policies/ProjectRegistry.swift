import Store
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import Platform

/// The server-side project list (`PROJECTS_FILE`): which database and which tools each project ref gets.
///
/// Read when the worker starts, where a bad file is an error. A lookup checks the file's inode, size and
/// modification time at most once per `reloadIntervalMilliseconds` and reloads it when they changed; a
/// new version that cannot be used is logged (without values from the file) and the previous good
/// version stays in use until the file changes again. Safe to share between request threads.
public final class ProjectRegistry: Sendable {
    private struct State {
        var projects: [String: ProjectEntry]
        /// The version last seen, good or bad; nil when the file could not be stat'ed.
        var signature: FileSignature?
        var lastCheckMilliseconds: Int
    }

    /// The projects file.
    public let path: String
    private let knownTools: [KnownTool]
    private let logger: Logger
    private let reloadIntervalMilliseconds: Int
    private let now: @Sendable () -> Int
    private let state: Mutex<State>

    /// Loads the file at `path`, checking tool names against `knownTools`; throws when it cannot be used.
    ///
    /// `reloadIntervalMilliseconds` is how often lookups look for a new version (default 1000);
    /// `now` is a monotonic clock in milliseconds (tests pass their own).
    public init(path: String, knownTools: [KnownTool], logger: Logger,
                reloadIntervalMilliseconds: Int = 1_000,
                now: @escaping @Sendable () -> Int = MonotonicClock.nowMilliseconds) throws(ProjectRegistryError) {
        self.path = path
        self.knownTools = knownTools
        self.logger = logger
        self.reloadIntervalMilliseconds = reloadIntervalMilliseconds
        self.now = now
        // Stat before reading: a change in between is then seen as a new version at the next check.
        let signature = FileSignature(path: path)
        let projects = try ProjectFile.load(path: path, knownTools: knownTools)
        state = Mutex(State(projects: projects, signature: signature, lastCheckMilliseconds: now()))
    }

    /// The registry `settings` name (`PROJECTS_FILE`), or nil when there is none; a file that cannot be
    /// used is a configuration error.
    /// Tool names in the file are checked against `knownTools`.
    public static func load(settings: ProjectSettings, knownTools: [KnownTool],
                            logger: Logger) throws(ConfigurationError) -> ProjectRegistry? {
        guard let path = settings.projectsFile else { return nil }
        do {
            return try ProjectRegistry(path: path, knownTools: knownTools, logger: logger)
        } catch {
            throw error.configurationError
        }
    }

    /// The project listed under `ref`, or nil; picks up a changed file first (see the type's notes).
    public func project(_ ref: String) -> ProjectEntry? {
        reloadIfChanged()
        return state.withLock { $0.projects[ref] }
    }

    /// The listed project refs, sorted.
    public var projectRefs: [String] {
        reloadIfChanged()
        return state.withLock { $0.projects.keys.sorted() }
    }

    /// Reloads the file when a check is due and its signature changed. The file is read outside the lock,
    /// by the one thread whose lookup made the check due.
    func reloadIfChanged() {
        let time = now()
        let (due, known) = state.withLock { state -> (Bool, FileSignature?) in
            guard time - state.lastCheckMilliseconds >= reloadIntervalMilliseconds else { return (false, nil) }
            state.lastCheckMilliseconds = time
            return (true, state.signature)
        }
        guard due else { return }
        let signature = FileSignature(path: path)
        guard signature != known else { return }
        do {
            let projects = try ProjectFile.load(path: path, knownTools: knownTools)
            state.withLock {
                $0.projects = projects
                $0.signature = signature
            }
            logger.info("projects file reloaded", metadata: ["path": "\(path)", "projects": "\(projects.count)"])
        } catch {
            state.withLock { $0.signature = signature }
            logger.error("projects file not reloaded; the previous version stays in use",
                         metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
