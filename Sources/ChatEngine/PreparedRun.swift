import Store

/// A run this request now drives: started for a new message, or taken over to carry out the user's decision.
/// `drive` runs it to its end (an answer, a pause for approval, a failure, a cancellation) and reports progress to
/// the events sink; a streamed and a JSON chat take the same path.
public final class PreparedRun {
    /// The user's decision a resumed run starts with, and the calls of the same turn after the decided one.
    struct Resumption {
        let call: StoredToolCall
        let actionId: String
        let approved: Bool
        let rest: [ToolCallAdmission.Entry]
    }

    let service: ChatService
    let thread: ThreadRecord
    let run: RunRecord
    let plan: RunPlan
    let history: [MessageRecord]
    let ranToolCalls: Int
    let resumption: Resumption?

    init(service: ChatService, thread: ThreadRecord, run: RunRecord, plan: RunPlan, history: [MessageRecord],
         ranToolCalls: Int = 0, resumption: Resumption? = nil) {
        self.service = service
        self.thread = thread
        self.run = run
        self.plan = plan
        self.history = history
        self.ranToolCalls = ranToolCalls
        self.resumption = resumption
    }

    /// The run's id.
    public var runId: String { run.id }
    /// The run's thread.
    public var threadId: String { thread.id }

    /// Drives the run to its end, reporting to `events`; the reply says how it ended. Releases the run's lock.
    public func drive(events: any ChatEvents) -> ChatReply {
        let driver = ChatRun(self, service: service, events: events)
        guard let resumption else { return driver.drive() }
        return driver.drive(first: driver.decide(resumption.call, actionId: resumption.actionId, approved: resumption.approved),
                            calls: resumption.rest)
    }
}
