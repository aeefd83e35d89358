/// A test precondition that did not hold (a socket that would not connect, a reply that never came).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
