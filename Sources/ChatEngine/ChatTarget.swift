import Policies
import ToolsCore

/// Where a chat request's tools work: the user's database, the tools on offer and which need approval.
/// Decided before anything is stored, so a refused database never leaves a message behind.
struct ChatTarget {
    /// The database, or nil when the request named none (the tools then say so).
    let database: DatabaseAccess?
    /// Tool names the project allows, or nil for every tool of the assistant definition.
    let allowedTools: Set<String>?
    /// Which calls wait for the user's approval (`APPROVAL_TOOLS` and the project's `approvalTools`).
    let approvalPolicy: ApprovalPolicy
    /// Tool settings for this project (its read-only role).
    let settings: ToolSettings
    /// The project and database approvals asked in this request are bound to, and approvals given in it must match.
    let approvals: PendingActionTarget
    /// How much of the user's data the model receives (`DATA_SHARING`, or the project's `dataSharing`).
    let dataSharing: DataSharing
}
