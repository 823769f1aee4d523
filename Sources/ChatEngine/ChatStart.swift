/// What starting a chat command gave: a run to drive, an answer already known, or a failure after the thread
/// changed. A refusal before anything was stored is thrown instead (`ChatError`), so a retry can run afresh.
public enum ChatStart {
    /// A run is ready to drive: its message or the user's decision is stored and its lock is held.
    case run(PreparedRun)
    /// Answered without driving (a cancellation): where the run stands.
    case answered(ChatReply)
    /// The request changed the thread (stored its message or took over a run) and then failed: the answer is
    /// this error, also for an idempotent retry, which must not store the message a second time.
    case failedAfterCommit(ChatError)
}
