/// Whether a tool asks the user's approval by itself (saving a pending action bound to its normalized arguments
/// and what it found, and consuming the approval when called again), whatever the deployment's policy.
public enum SelfApproval: Sendable {
    /// It never asks; only the deployment's policy can put it under approval.
    case never
    /// It asks on every call that acts (drop_table), so the policy's gate would only ask twice.
    case always
    /// It asks for some calls (restore_table, for a copy another user dropped): an approval the gate does not
    /// know may be one the tool asked for.
    case sometimes
}
