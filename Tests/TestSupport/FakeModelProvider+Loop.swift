import HTTPClient
import JSON

extension FakeModelProvider {
    /// Replaces the queue of scripted answers with `steps` repeated forever: each model call takes the
    /// next step, which then goes to the back of the queue. For load and fault runs whose number of
    /// model calls is not known in advance (the queue is shared by every caller).
    public func scriptLoop(_ steps: [JSONValue]) throws {
        let body = JSONValue.object(["steps": .array(steps), "loop": .bool(true)])
        let request = HTTPClientRequest(method: "POST", url: rootURL + "/__script",
                                        headers: [(name: "Content-Type", value: "application/json")],
                                        body: body.serializedBytes(), timeoutMilliseconds: 10_000)
        let response = try HTTPClient().send(request)
        guard response.status == 200 else {
            throw TestSupportError("the fake provider refused the looping script: \(response.text)")
        }
    }
}
