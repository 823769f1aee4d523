/// Where a run stands, with the Assistants API's names.
public enum RunStatus: String, Sendable, Codable {
    /// Created, not started (kept for clients that know it; this service starts runs at once).
    case queued
    /// A worker is driving it (calling the model or tools).
    case inProgress = "in_progress"
    /// Waiting for the user to approve or reject an action.
    case requiresAction = "requires_action"
    /// The model answered; the run is over.
    case completed
    /// It stopped on an error (`errorCode` says which).
    case failed
    /// The user cancelled it, or went away while it streamed.
    case cancelled
    /// Its worker died or its deadline or approval ran out.
    case expired

    /// Whether the run still holds its thread (a second run on the thread must wait).
    public var isActive: Bool { self == .queued || self == .inProgress || self == .requiresAction }
}
