import TokenGateWire

/// The request lines the raw socket-benchmark client sends, encoded once by the wire module
/// (`Request.encodeLine()`) so the benchmark speaks the protocol exactly as every client does.
struct BenchLines {
    /// `hello` naming the worker.
    let hello: [UInt8]
    /// `acquire` of 100 tokens.
    let acquire: [UInt8]
    /// A ticketless `report` of 60 input and 40 output tokens.
    let ticketless: [UInt8]
    /// The `report` of a grant, up to its ticket's value.
    let reportHead: [UInt8]
    /// The `report` of a grant, from just after its ticket's value.
    let reportTail: [UInt8]

    /// The ticket written in the report template, where the granted ticket goes.
    private static let ticketMarker = "bench-ticket-marker"

    init(worker: String) throws {
        hello = Request(.hello(worker: worker)).encodeLine()
        acquire = Request(.acquire(.init(tokens: 100))).encodeLine()
        ticketless = Request(.report(.init(input: 60, output: 40))).encodeLine()
        let report = Request(.report(.init(ticket: Self.ticketMarker, input: 60, output: 40))).encodeLine()
        guard let marker = report[...].range(of: Array(Self.ticketMarker.utf8)) else {
            throw BenchError("the report template lost its ticket")
        }
        reportHead = Array(report[..<marker.lowerBound])
        reportTail = Array(report[marker.upperBound...])
    }
}
