import ChatEngine
import HTTP

extension APIError.Code {
    /// The thread already has a run in progress; wait for it or cancel it.
    public static let runInProgress = APIError.Code(rawValue: ChatError.Code.runInProgress.rawValue)
    /// The thread's run waits for the user to approve or reject an action first.
    public static let actionPending = APIError.Code(rawValue: ChatError.Code.actionPending.rawValue)
    /// No such thread for this user (another user's thread is reported the same way).
    public static let threadNotFound = APIError.Code(rawValue: ChatError.Code.threadNotFound.rawValue)
    /// No pending action with this id on the thread.
    public static let actionNotFound = APIError.Code(rawValue: ChatError.Code.actionNotFound.rawValue)
    /// No run with this id on the thread.
    public static let runNotFound = APIError.Code(rawValue: ChatError.Code.runNotFound.rawValue)
    /// An approval given with another database or project than the action was asked for.
    public static let invalidApproval = APIError.Code(rawValue: ChatError.Code.invalidApproval.rawValue)
    /// The user reached a limit on chat runs or model tokens.
    public static let rateLimited = APIError.Code(rawValue: ChatError.Code.rateLimited.rawValue)
    /// The project is not in the server's project registry (and the request named no database).
    public static let projectNotFound = APIError.Code(rawValue: ChatError.Code.projectNotFound.rawValue)
    /// The chat request's deadline passed.
    public static let deadlineExceeded = APIError.Code(rawValue: ChatError.Code.deadlineExceeded.rawValue)
}
