// libFuzzer entry point over the wire decoder and the gate (built by scripts/fuzz.sh, not by
// SwiftPM): every input is a few request lines; each line is decoded as the daemon decodes it, a
// decoded request is encoded again and must decode to itself, and its operation is applied to a
// gate in virtual time. After an operation that could only add grants, no budget may hold more
// than its threshold allows (an oversized grant aside). Any trap, sanitizer report or failed
// invariant is a crash that libFuzzer keeps.
//
// The same input also goes through the Redis client's RESP decoder (small limits), whole and
// split in two at a place the first byte chooses: both must give the same replies or the same
// error, and no limit may be passed.

import TokenGateCore
import TokenGateRedis
import TokenGateWire

#if canImport(Glibc)
import Glibc
#endif

/// The daemon under fuzzing: one gate, a virtual clock and the tickets handed out.
struct FuzzedDaemon {
    var gate: Gate
    var now = Instant.zero
    var tickets: [String: TicketID] = [:]
    var owners: [UInt64] = [1, 2, 3]
    var lastImmediateGrant: BudgetAmounts?

    init(selector: UInt8) {
        let limits: [Int64] = [1, 100, 1_000, 1_800_000]
        let configuration = (try? GateConfiguration(
            tokenLimit: limits[Int(selector & 3)], window: .seconds(Double(selector >> 2 & 3) + 0.5),
            threshold: [0.5, 0.9, 1.0, 0.01][Int(selector >> 4 & 3)],
            requestsLimit: selector & 0x40 != 0 ? 10 : nil, lease: .seconds(selector & 0x80 != 0 ? 1 : 600),
            slotsPerWindow: selector & 0x80 != 0 ? 3 : 1000
        ))
        // The parameters above are always valid; a configuration error is a crash worth keeping.
        guard let configuration else { fatalError("fuzz configuration refused") }
        gate = Gate(configuration: configuration)
    }

    mutating func run(line: ArraySlice<UInt8>) {
        now = now + .milliseconds(Int64(line.count % 11) * 97)
        switch Request.decode(line: Array(line)) {
        case .failure(let failure):
            _ = failure.encodeReplyLine()
        case .success(let request):
            let again = Request.decode(line: request.encodeLine())
            guard case .success(let decodedAgain) = again, decodedAgain == request else {
                fatalError("encode/decode round trip changed \(request) into \(again)")
            }
            apply(request, owner: OwnerID(rawValue: owners[line.count % owners.count]))
        }
    }

    private mutating func apply(_ request: Request, owner: OwnerID) {
        var onlyGrants = true
        switch request.operation {
        case .hello, .subscribe:
            gate.advance(to: now)
        case .acquire(let acquire):
            guard let estimate = try? Estimate(tokens: acquire.tokens, input: acquire.input, output: acquire.output)
            else { return }
            let deadline = acquire.timeoutMs.map { now + .milliseconds($0) }
            let decision = gate.acquire(
                worker: acquire.worker ?? "fuzz", estimate: estimate, priority: acquire.priority ?? .normal,
                deadline: deadline, owner: owner, now: now
            )
            if case .granted(let grant) = decision {
                note(grant)
                lastImmediateGrant = grant.reserved
            }
        case .report(let report):
            onlyGrants = false
            guard let usage = try? Usage(
                input: report.input, output: report.output, cacheCreation: report.cacheCreation ?? 0,
                cacheRead: report.cacheRead ?? 0
            ) else { return }
            let ticket = report.ticket.map { tickets[$0] ?? TicketID(rawValue: 0) }
            gate.settle(ticket: ticket, usage: usage, worker: report.worker, now: now)
        case .release(let ticket):
            gate.release(ticket: tickets[ticket] ?? TicketID(rawValue: 0), now: now)
        case .throttled(let throttled):
            gate.throttle(until: now + .milliseconds(throttled.retryAfterMs), now: now)
        case .observe(let headers):
            onlyGrants = false
            for reading in ProviderHeaders(headers: headers).readings {
                _ = gate.observe(ProviderObservation(
                    kind: reading.budget, limit: reading.limit, remaining: reading.remaining,
                    reset: reading.resetEpochMs.map { now + .milliseconds($0 % 1_000_000) }, observedAt: now
                ), now: now)
            }
        case .status:
            _ = gate.snapshot(now: now)
        case .pause:
            gate.pause(now: now)
        case .resume:
            gate.resume(now: now)
        case .pauseWorker(let worker):
            gate.pause(worker: worker, now: now)
        case .resumeWorker(let worker):
            gate.resume(worker: worker, now: now)
        case .setWorkerCap(let worker, let cap):
            try? gate.setCap(cap, worker: worker, now: now)
        case .setLimit(let change):
            onlyGrants = false
            if let limit = change.limit { try? gate.setLimit(limit, for: .tokens, now: now) }
            if let threshold = change.threshold { try? gate.setThreshold(threshold, now: now) }
        }
        if request.id.map({ "\($0)".count % 3 == 0 }) ?? false {
            // Withdraw an owner now and then, as a closed connection does.
            gate.withdraw(owner: owner, now: now)
        }
        var oversized = false
        var granted = false
        for outcome in gate.takeOutcomes() {
            if case .granted(let grant) = outcome {
                note(grant)
                granted = true
                oversized = oversized || gate.isOversized(grant.reserved)
            }
        }
        if case .acquire = request.operation, let ticket = lastImmediateGrant {
            granted = true
            oversized = oversized || gate.isOversized(ticket)
        }
        lastImmediateGrant = nil
        if onlyGrants && granted && !oversized { checkCapacity() }
        // The sliding-window timeline keeps two windows (used and reserved), each bounded.
        if gate.windowSlotCount > 2 * (gate.configuration.slotsPerWindow + 2) {
            fatalError("window holds \(gate.windowSlotCount) slots")
        }
    }

    private mutating func note(_ grant: GateGrant) {
        tickets["t-\(grant.ticket.rawValue)"] = grant.ticket
        _ = Reply.encodeGrant(id: nil, ticket: "t-\(grant.ticket.rawValue)", waitedMs: grant.waited.millisecondsRoundedUp)
    }

    /// Right after grants, and nothing else that adds load, every budget is within threshold x
    /// limit: each grant was admitted against the load before it.
    private func checkCapacity() {
        let snapshot = gate.snapshot(now: now)
        for budget in snapshot.budgets {
            let load = budget.used.addingReportingOverflow(budget.reserved).partialValue
                .addingReportingOverflow(budget.external).partialValue
            if load > budget.capacity {
                fatalError("\(budget.kind): used \(budget.used) + reserved \(budget.reserved) + external \(budget.external) over capacity \(budget.capacity) after a grant")
            }
        }
    }
}

/// Every reply of `parts` fed in turn to one decoder, and the error that ended it, if any.
func decodeRESP(_ parts: [ArraySlice<UInt8>], limits: RESPLimits) -> ([RESPValue], RESPDecodingError?) {
    var decoder = RESPDecoder(limits: limits)
    var values: [RESPValue] = []
    for part in parts {
        decoder.append(part)
        do {
            while let value = try decoder.next() {
                values.append(value)
            }
        } catch {
            return (values, error)
        }
        if decoder.bufferedByteCount > limits.maximumReplyBytes {
            fatalError("RESP decoder holds \(decoder.bufferedByteCount) bytes")
        }
    }
    return (values, nil)
}

func fuzzRESP(_ bytes: [UInt8], selector: UInt8) {
    let limits = RESPLimits(
        maximumBulkLength: 64, maximumAggregateLength: 32, maximumDepth: 4, maximumLineLength: 40, maximumReplyBytes: 512
    )
    let whole = decodeRESP([bytes[...]], limits: limits)
    let cut = bytes.isEmpty ? 0 : Int(selector) % (bytes.count + 1)
    let split = decodeRESP([bytes[..<cut], bytes[cut...]], limits: limits)
    // Split, an incomplete reply over the size limit may be noticed sooner (in the first part);
    // otherwise the replies and the error are the same. (Compared as text: NaN is not NaN.)
    if case .replyTooLarge = split.1 {
        if !"\(whole.0)".hasPrefix(String("\(split.0)".dropLast())) {
            fatalError("RESP replies differ when split at \(cut): \(whole.0) vs \(split.0)")
        }
    } else if "\(whole.0)" != "\(split.0)" || whole.1 != split.1 {
        fatalError("RESP differs when split at \(cut): \(whole) vs \(split)")
    }
    for value in whole.0 { checkBounded(value, limits: limits, depth: 0) }
}

func checkBounded(_ value: RESPValue, limits: RESPLimits, depth: Int) {
    switch value {
    case .bulkString(let bytes):
        if bytes.count > limits.maximumBulkLength { fatalError("bulk of \(bytes.count) bytes passed") }
    case .array(let values), .push(let values):
        if depth >= limits.maximumDepth || values.count > limits.maximumAggregateLength {
            fatalError("aggregate of \(values.count) at depth \(depth + 1) passed")
        }
        for inner in values { checkBounded(inner, limits: limits, depth: depth + 1) }
    case .map(let pairs):
        if depth >= limits.maximumDepth || pairs.count * 2 > limits.maximumAggregateLength {
            fatalError("map of \(pairs.count) pairs at depth \(depth + 1) passed")
        }
        for pair in pairs {
            checkBounded(pair.key, limits: limits, depth: depth + 1)
            checkBounded(pair.value, limits: limits, depth: depth + 1)
        }
    default:
        break
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = bytes.first else { return 0 }
    fuzzRESP(Array(bytes.dropFirst()), selector: selector)
    var daemon = FuzzedDaemon(selector: selector)
    for line in bytes.dropFirst().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(64) {
        daemon.run(line: line)
    }
    return 0
}
