import ChatEngine
import Model
import Platform
import Policies
import Store

extension AssistantAPI {
    /// How long the check may take in all, retries included.
    static let modelCheckTimeout = Duration.seconds(20)

    /// Makes one small model call with `assistant`'s model to prove the provider settings and key work.
    /// Never throws: a failure is part of the report.
    func checkModel(_ assistant: AssistantRecord) -> ModelCheckReport {
        let request = ModelRequest(model: assistant.model, instructions: "", items: [.userMessage("Reply with the word OK.")],
                                   maxOutputTokens: 16)
        let start = ContinuousClock.now
        do {
            _ = try chat.modelClient.respond(request, deadline: start + Self.modelCheckTimeout) { _ in true }
            let elapsed = start.duration(to: .now).components
            let milliseconds = Int(elapsed.seconds) * 1_000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
            logger.info("model check succeeded", metadata: ["model": "\(assistant.model)", "duration_ms": .stringConvertible(milliseconds)])
            return .succeeded(latencyMilliseconds: milliseconds)
        } catch {
            logger.warning("model check failed", metadata: ["model": "\(assistant.model)", "error": "\(error)"])
            return .failed(code: ChatError(error).code.rawValue, message: redacted(error.message))
        }
    }

    /// `message` without the API key or extra header values. The model client already removes the key;
    /// this is a second guard, since the report goes to a browser.
    private func redacted(_ message: String) -> String {
        let secrets = ([configuration.model.apiKey].compactMap { $0 } + configuration.model.extraHeaders.map(\.1))
            .filter { $0.count >= 4 }
        return secrets.reduce(message) { text, secret in text.replacing(secret, with: "[redacted]") }
    }
}
