/// A failure of the test client's socket calls.
struct TestClientError: Error, CustomStringConvertible {
    let description: String
}
