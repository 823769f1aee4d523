import ChatEngine
import HTTP
import Operations
import Policies
import Store

extension AssistantMetrics {
    /// Counts `response` to `request`, begun at `start`, when it is complete: at once, or for a streamed
    /// body when the stream ends (so a chat answered as events is timed to its last event).
    func observe(_ response: HTTPResponse, to request: HTTPRequest, since start: ContinuousClock.Instant) -> HTTPResponse {
        let endpoint = RequestEndpoint(method: request.method, path: request.path)
        guard let stream = response.stream else {
            recordRequest(endpoint, status: response.status, microseconds: Self.microseconds(since: start))
            return response
        }
        var timed = response
        let status = response.status
        timed.stream = StreamingBody { [self] writer in
            stream.produce(writer)
            recordRequest(endpoint, status: status, microseconds: Self.microseconds(since: start))
        }
        return timed
    }
}
