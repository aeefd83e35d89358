import TokenGateCore

extension Request {
    /// Decodes one request line (with or without its terminating newline).
    ///
    /// Failures carry the contract's code: `line_too_long` above `WireLimits.maxLineBytes`;
    /// `bad_json` when the line is not one strict JSON value in valid UTF-8; `bad_request` when it is
    /// not an object, the id is neither an integer nor a string, `op` is missing or not a string, or
    /// a field is missing or invalid (the message names the field); `unknown_op` for an `op` string
    /// this daemon does not know. The failure carries the id whenever it could be read. Unknown extra
    /// fields are ignored, and an optional field set to `null` counts as absent.
    public static func decode(line: UnsafeRawBufferPointer) -> Result<Request, WireFailure> {
        var length = line.count
        if length > 0, line[length - 1] == UInt8(ascii: "\n") { length -= 1 }
        guard length <= WireLimits.maxLineBytes else { return .failure(lineTooLong()) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            return .failure(WireFailure(id: nil, code: .badJSON, message: "not valid JSON: \(error)"))
        }
        return decode(json: value)
    }

    /// Decodes one request line; see `decode(line: UnsafeRawBufferPointer)`.
    public static func decode(line: [UInt8]) -> Result<Request, WireFailure> {
        line.withUnsafeBytes { decode(line: $0) }
    }

    /// Decodes one request line; see `decode(line: UnsafeRawBufferPointer)`.
    public static func decode(line: some Collection<UInt8>) -> Result<Request, WireFailure> {
        let contiguous = line.withContiguousStorageIfAvailable { decode(line: UnsafeRawBufferPointer($0)) }
        return contiguous ?? decode(line: Array(line))
    }

    /// Decodes one request line given as text; see `decode(line: UnsafeRawBufferPointer)`.
    public static func decode(line: String) -> Result<Request, WireFailure> {
        var line = line
        return line.withUTF8 { decode(line: UnsafeRawBufferPointer($0)) }
    }

    /// Decodes a request from an already parsed JSON value; the checks after parsing are those of
    /// `decode(line:)`.
    public static func decode(json: JSONValue) -> Result<Request, WireFailure> {
        guard case .object(let object) = json else {
            return .failure(
                WireFailure(
                    id: nil, code: .badRequest,
                    message: "a request must be a JSON object, got \(json.briefDescription)"))
        }
        var id: RequestID?
        if let idValue = object["id"], !idValue.isNull {
            guard let valid = RequestID(idValue) else {
                return .failure(
                    WireFailure(
                        id: nil, code: .badRequest,
                        message: "\"id\" must be an integer or a string, got \(idValue.briefDescription)"))
            }
            id = valid
        }
        let opValue = object["op"] ?? .null
        guard case .string(let opText) = opValue else {
            let message =
                opValue.isNull
                ? "missing required field \"op\"" : "\"op\" must be a string, got \(opValue.briefDescription)"
            return .failure(WireFailure(id: id, code: .badRequest, message: message))
        }
        guard let name = Operation.Name(rawValue: opText) else {
            return .failure(WireFailure(id: id, code: .unknownOp, message: "unknown op \"\(abbreviated(opText))\""))
        }
        do throws(FieldError) {
            let reader = FieldReader(object)
            let operation = try reader.operation(name)
            var target = PoolTarget.operations.contains(name) ? try reader.target() : .unspecified
            // A report's model is its own field (`Report.model`, kept for accounting since v1).
            if case .report = operation { target.model = nil }
            if operation.isWorkerControl, !target.isUnspecified {
                throw FieldError(
                    message: "a worker's pause and cap apply in every pool: send \"worker\" without \"pool\" or \"model\"")
            }
            return .success(Request(id: id, operation, target: target))
        } catch {
            return .failure(WireFailure(id: id, code: .badRequest, message: error.message))
        }
    }

    /// The failure for a line longer than `WireLimits.maxLineBytes` (the framing layer, which sees
    /// the length before the line ends, replies with this and closes the connection).
    public static func lineTooLong() -> WireFailure {
        WireFailure(
            id: nil, code: .lineTooLong, message: "line exceeds \(WireLimits.maxLineBytes) bytes")
    }

    private static func abbreviated(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(64)) + "..."
    }
}

/// Why a field is invalid, phrased for the `message` of a `bad_request` reply.
struct FieldError: Error {
    let message: String
}

/// Reads and validates the fields of one request object.
struct FieldReader {
    let object: JSONObject

    init(_ object: JSONObject) {
        self.object = object
    }

    func operation(_ name: Request.Operation.Name) throws(FieldError) -> Request.Operation {
        switch name {
        case .hello:
            let version = try requiredValue("v")
            guard version.int64Value == WireLimits.protocolVersion else {
                throw FieldError(
                    message:
                        "\"v\" must be \(WireLimits.protocolVersion), the protocol version this daemon speaks, got \(version.briefDescription)"
                )
            }
            guard let worker = try worker("worker") else { throw missing("worker") }
            return .hello(worker: worker)
        case .acquire:
            return .acquire(
                Request.Acquire(
                    tokens: try count("tokens"), input: try count("input"), output: try count("output"),
                    timeoutMs: try count("timeout_ms"), worker: try worker("worker"), priority: try priority("priority")))
        case .report:
            return .report(
                Request.Report(
                    ticket: try ticket("ticket"), input: try requiredCount("input"),
                    output: try requiredCount("output"), cacheCreation: try count("cache_creation"),
                    cacheRead: try count("cache_read"), worker: try worker("worker"), model: try string("model")))
        case .release:
            guard let ticket = try ticket("ticket") else { throw missing("ticket") }
            return .release(ticket: ticket)
        case .throttled:
            return .throttled(
                Request.Throttled(retryAfterMs: try requiredCount("retry_after_ms"), budget: try budget("budget")))
        case .observe:
            return .observe(headers: try headers("headers"))
        case .status:
            return .status
        case .subscribe:
            let interval =
                try count("interval_ms", from: WireLimits.minSubscribeIntervalMs)
                ?? WireLimits.defaultSubscribeIntervalMs
            return .subscribe(intervalMs: interval, history: try flag("history") ?? false)
        case .pause:
            return try worker("worker").map { .pauseWorker($0) } ?? .pause
        case .resume:
            return try worker("worker").map { .resumeWorker($0) } ?? .resume
        case .setLimit:
            if let worker = try worker("worker") { return try workerCap(worker) }
            if object["cap"] != nil {
                throw FieldError(message: "\"cap\" needs \"worker\": set_limit {\"worker\": NAME, \"cap\": FRACTION or null}")
            }
            let limit = try count("limit", from: 1)
            let threshold = try threshold("threshold")
            guard limit != nil || threshold != nil else {
                throw FieldError(message: "set_limit needs \"limit\" or \"threshold\"")
            }
            return .setLimit(Request.SetLimit(limit: limit, threshold: threshold))
        }
    }

    /// `set_limit` with `worker`: `cap` must be present, a fraction in (0, 1] or null (clears the
    /// cap); `limit` and `threshold` do not go with it.
    private func workerCap(_ worker: String) throws(FieldError) -> Request.Operation {
        if value("limit") != nil || value("threshold") != nil {
            throw FieldError(
                message: "\"worker\" goes with \"cap\" only: change \"limit\" or \"threshold\" in a set_limit without \"worker\"")
        }
        guard let cap = object["cap"] else {
            throw FieldError(
                message: "set_limit with \"worker\" needs \"cap\": a fraction greater than 0 and at most 1, or null to clear the cap")
        }
        if cap.isNull { return .setWorkerCap(worker: worker, cap: nil) }
        guard case .number(let number) = cap, number.doubleValue > 0, number.doubleValue <= 1 else {
            throw FieldError(
                message: "\"cap\" must be a number greater than 0 and at most 1, or null to clear the cap, got \(cap.briefDescription)")
        }
        return .setWorkerCap(worker: worker, cap: number.doubleValue)
    }

    // MARK: Field kinds

    /// The value of `key`, or `nil` when it is absent or `null`.
    private func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    private func requiredValue(_ key: String) throws(FieldError) -> JSONValue {
        guard let value = value(key) else { throw missing(key) }
        return value
    }

    private func missing(_ key: String) -> FieldError {
        FieldError(message: "missing required field \"\(key)\"")
    }

    /// A count: an integer literal (no fraction, no exponent: `5.0` and `5e0` are refused) from
    /// `minimum` to `WireLimits.maxCount`.
    func count(_ key: String, from minimum: Int64 = 0) throws(FieldError) -> Int64? {
        guard let value = value(key) else { return nil }
        if case .number(let number) = value, let integer = number.int64Value, integer >= minimum,
            integer <= WireLimits.maxCount
        {
            return integer
        }
        var message = "\"\(key)\" must be an integer from \(minimum) to \(WireLimits.maxCount)"
        if case .number(let number) = value {
            if !number.isIntegerLiteral {
                message += " written without fraction or exponent, got \(number)"
            } else if number.int64Value == nil {
                message += ", got an integer out of range"
            } else {
                message += ", got \(number)"
            }
        } else {
            message += ", got \(value.briefDescription)"
        }
        throw FieldError(message: message)
    }

    private func requiredCount(_ key: String) throws(FieldError) -> Int64 {
        guard let count = try count(key) else { throw missing(key) }
        return count
    }

    private func string(_ key: String) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw FieldError(message: "\"\(key)\" must be a string, got \(value.briefDescription)")
        }
        return text
    }

    /// `model` (a string of 1 to `WireLimits.maxModelLength` bytes) and `pool` (a pool name).
    func target() throws(FieldError) -> PoolTarget {
        let model = try string("model")
        if let model, model.isEmpty || model.utf8.count > WireLimits.maxModelLength {
            throw FieldError(message: "\"model\" must be 1-\(WireLimits.maxModelLength) bytes")
        }
        let pool = try string("pool")
        if let pool, !WireLimits.isValidPoolName(pool) {
            throw FieldError(message: "\"pool\" must be 1-64 characters of A-Za-z0-9._-, got \(describeString(.string(pool)))")
        }
        return PoolTarget(model: model, pool: pool)
    }

    private func flag(_ key: String) throws(FieldError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            throw FieldError(message: "\"\(key)\" must be true or false, got \(value.briefDescription)")
        }
        return flag
    }

    private func worker(_ key: String) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let name) = value, WireLimits.isValidWorkerName(name) else {
            throw FieldError(
                message:
                    "\"\(key)\" must be 1-\(WireLimits.maxWorkerNameLength) characters of A-Za-z0-9._:-, got \(describeString(value))"
            )
        }
        return name
    }

    /// A ticket: a string of printable ASCII, or an integer literal taken as its decimal text.
    private func ticket(_ key: String) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text) where WireLimits.isValidTicket(text):
            return text
        case .number(let number):
            if let integer = number.int64Value { return String(integer) }
        default:
            break
        }
        throw FieldError(
            message:
                "\"\(key)\" must be a string of 1-\(WireLimits.maxTicketLength) printable ASCII characters, got \(describeString(value))"
        )
    }

    private func priority(_ key: String) throws(FieldError) -> Priority? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value, let priority = Priority(rawValue: text) else {
            let names = Priority.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw FieldError(message: "\"\(key)\" must be one of \(names), got \(describeString(value))")
        }
        return priority
    }

    private func budget(_ key: String) throws(FieldError) -> BudgetKind? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value, let budget = BudgetKind(rawValue: text) else {
            let names = BudgetKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw FieldError(message: "\"\(key)\" must be one of \(names), got \(describeString(value))")
        }
        return budget
    }

    private func threshold(_ key: String) throws(FieldError) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, number.doubleValue > 0, number.doubleValue <= 1 else {
            throw FieldError(
                message: "\"\(key)\" must be a number greater than 0 and at most 1, got \(value.briefDescription)")
        }
        return number.doubleValue
    }

    private func headers(_ key: String) throws(FieldError) -> [String: String] {
        let value = try requiredValue(key)
        guard case .object(let object) = value else {
            throw FieldError(
                message: "\"\(key)\" must be an object of header name to string value, got \(value.briefDescription)")
        }
        var headers: [String: String] = [:]
        headers.reserveCapacity(object.count)
        for member in object.members {
            guard case .string(let text) = member.value else {
                throw FieldError(
                    message:
                        "\"\(key)\" must map header names to strings, but \"\(member.key)\" is \(member.value.briefDescription)"
                )
            }
            headers[member.key] = text
        }
        return headers
    }

    /// A string value quoted (shortened when long), or the kind of a non-string value.
    private func describeString(_ value: JSONValue) -> String {
        guard case .string(let text) = value else { return value.briefDescription }
        let shown = text.unicodeScalars.count <= 64 ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(64))) + "..."
        return "\"\(shown)\""
    }
}
