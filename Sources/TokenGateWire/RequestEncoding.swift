extension Request {
    /// The request as one protocol line: compact JSON with `op` first, then `id` when there is one,
    /// then the fields that are set; UTF-8, newline-terminated. Values are written as given, not
    /// validated: the daemon answers an invalid field with `bad_request`.
    public func encodeLine() -> [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.writeRaw("{\"op\":")
        writer.writeString(operation.name.rawValue)
        if let id {
            writer.writeRaw(",\"id\":")
            writer.writeID(id)
        }
        switch operation {
        case .hello(let worker):
            writer.writeRaw(",\"v\":")
            writer.writeInteger(WireLimits.protocolVersion)
            writer.writeField("worker", worker)
        case .acquire(let fields):
            writer.writeField("tokens", fields.tokens)
            writer.writeField("input", fields.input)
            writer.writeField("output", fields.output)
            writer.writeField("timeout_ms", fields.timeoutMs)
            writer.writeField("worker", fields.worker)
            writer.writeField("priority", fields.priority?.rawValue)
        case .report(let fields):
            writer.writeField("ticket", fields.ticket)
            writer.writeField("input", fields.input)
            writer.writeField("output", fields.output)
            writer.writeField("cache_creation", fields.cacheCreation)
            writer.writeField("cache_read", fields.cacheRead)
            writer.writeField("worker", fields.worker)
            writer.writeField("model", fields.model ?? target.model)
        case .release(let ticket):
            writer.writeField("ticket", ticket)
        case .throttled(let fields):
            writer.writeField("retry_after_ms", fields.retryAfterMs)
            writer.writeField("budget", fields.budget?.rawValue)
        case .observe(let headers):
            writer.writeRaw(",\"headers\":{")
            for (position, name) in headers.keys.sorted().enumerated() {
                if position > 0 { writer.writeRaw(",") }
                writer.writeString(name)
                writer.writeRaw(":")
                writer.writeString(headers[name] ?? "")
            }
            writer.writeRaw("}")
        case .subscribe(let intervalMs, let history):
            writer.writeField("interval_ms", intervalMs)
            if history { writer.writeRaw(",\"history\":true") }
        case .setLimit(let fields):
            writer.writeField("limit", fields.limit)
            if let threshold = fields.threshold {
                writer.writeRaw(",\"threshold\":")
                writer.writeDouble(threshold)
            }
        case .pauseWorker(let worker), .resumeWorker(let worker):
            writer.writeField("worker", worker)
        case .setWorkerCap(let worker, let cap):
            writer.writeField("worker", worker)
            writer.writeFieldKey("cap")
            if let cap { writer.writeDouble(cap) } else { writer.writeRaw("null") }
        case .status, .pause, .resume:
            break
        }
        if operation.name != .report { writer.writeField("model", target.model) }
        writer.writeField("pool", target.pool)
        writer.writeRaw("}\n")
        return writer.bytes
    }
}

extension JSONWriter {
    /// Appends `,"key":value` when `value` is present. `key` must need no escaping.
    mutating func writeField(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        writeFieldKey(key)
        writeInteger(value)
    }

    /// Appends `,"key":"value"` when `value` is present. `key` must need no escaping.
    mutating func writeField(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        writeFieldKey(key)
        writeString(value)
    }

    /// Appends `,"key":`. `key` must need no escaping.
    mutating func writeFieldKey(_ key: StaticString) {
        writeRaw(",\"")
        writeRaw(key)
        writeRaw("\":")
    }
}
