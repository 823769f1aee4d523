import Policies
import ToolsCore

extension ChatService {
    /// Where the command's tools work. A project in the registry (`PROJECTS_FILE`) brings its own connection
    /// string, tools, role, approval policy and data sharing level, and a connection string in the request is then ignored;
    /// otherwise the request's connection string is used if the host policy allows it (checked on the hosts
    /// libpq would connect to, before any connection is made).
    func chatTarget(_ command: ChatCommand) throws(ChatError) -> ChatTarget {
        var settings = configuration.tools
        let deploymentGate = configuration.chat.approvalTools
        let sharing = configuration.chat.dataSharing
        if let project = resources.projects?.project(command.projectRef) {
            if let role = project.readOnlyRole { settings.readOnlyRole = role }
            if let login = project.readOnlyConnection { settings.readOnlyConnection = login }
            // Checked when the projects file was read: a malformed entry cannot reach here.
            try? settings.sensitiveColumns.add(project.sensitiveColumns)
            let database = DatabaseAccess(connectionString: project.connectionString, pool: resources.pool,
                                          settings: settings, cache: resources.cache)
            return ChatTarget(database: database, allowedTools: Set(project.toolNames),
                              approvalPolicy: ApprovalPolicy(gatedTools: deploymentGate.union(project.approvalTools)),
                              settings: settings, approvals: PendingActionTarget(projectRef: command.projectRef, database: database),
                              dataSharing: project.dataSharing ?? sharing)
        }
        guard let connectionString = command.connectionString else {
            if resources.projects != nil {
                throw ChatError(.projectNotFound, "The project \(command.projectRef) is not configured on this server.")
            }
            return ChatTarget(database: nil, allowedTools: nil, approvalPolicy: ApprovalPolicy(gatedTools: deploymentGate),
                              settings: settings, approvals: PendingActionTarget(projectRef: command.projectRef, database: nil),
                              dataSharing: sharing)
        }
        let confined: String
        do {
            confined = try resources.hostPolicy.check(connectionString)
        } catch {
            logger.notice("refused a request connection string", metadata: ["code": "\(error.code)", "user": "\(command.userId)"])
            throw ChatError(error)
        }
        let database = DatabaseAccess(connectionString: confined, pool: resources.pool, settings: settings,
                                      cache: resources.cache)
        return ChatTarget(database: database, allowedTools: nil, approvalPolicy: ApprovalPolicy(gatedTools: deploymentGate),
                          settings: settings, approvals: PendingActionTarget(projectRef: command.projectRef, database: database),
                          dataSharing: sharing)
    }
}
