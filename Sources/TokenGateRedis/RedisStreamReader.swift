/// One entry of a Redis stream.
public struct RedisStreamEntry: Sendable, Hashable {
    /// The entry's id (`MILLISECONDS-SEQUENCE`).
    public var id: String
    /// The entry's fields, in the order written.
    /// The field names, in the order written.
    public var names: [String]
    /// The field values, one per name.
    public var values: [String]

    public init(id: String, names: [String], values: [String]) {
        self.id = id
        self.names = names
        self.values = values
    }

    /// The value of field `name`, if present.
    public subscript(name: String) -> String? {
        guard let index = names.firstIndex(of: name), index < values.count else { return nil }
        return values[index]
    }
}

/// Reads one stream with `XREAD BLOCK` on a connection of its own (a blocked connection cannot
/// carry other commands), from where it left off, reconnecting with the backoff when the
/// connection drops: entries added while it was away are read when it is back.
public struct RedisStreamReader: Sendable {
    public let options: RedisClientOptions
    public let stream: String
    /// How long one `XREAD` blocks before it is sent again.
    public let block: Duration
    /// The most entries one `XREAD` returns.
    public let batch: Int

    public init(options: RedisClientOptions, stream: String, block: Duration = .seconds(1), batch: Int = 256) {
        self.options = options
        self.stream = stream
        self.block = block
        self.batch = batch
    }

    /// Reads entries after `lastID` (`"0"` for all) and hands each batch to `deliver` until the task
    /// is cancelled. (`"$"` would read only new entries, but would miss those added while the
    /// connection was down before the first was read.)
    public func run(after lastID: String, deliver: @Sendable ([RedisStreamEntry]) async -> Void) async {
        var position = lastID
        var attempt = 0
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(
                    to: options.endpoint, limits: options.limits, connectTimeout: options.connectTimeout
                )
                attempt = 0
                try await withTaskCancellationHandler {
                    while !Task.isCancelled {
                        let reply = try await connection.send(
                            command(after: position), timeout: block + options.commandTimeout
                        ).throwingServerError()
                        let entries = try Self.entries(in: reply)
                        if let last = entries.last { position = last.id }
                        if !entries.isEmpty { await deliver(entries) }
                    }
                } onCancel: {
                    connection.close()
                }
                connection.close()
            } catch {
                if Task.isCancelled { return }
            }
            let delay = options.backoff.delayNanoseconds(attempt: attempt)
            attempt += 1
            try? await Task.sleep(nanoseconds: UInt64(max(0, delay)))
        }
    }

    private func command(after position: String) -> RESPCommand {
        let milliseconds = max(1, Int64(block.components.seconds) * 1000 + block.components.attoseconds / 1_000_000_000_000_000)
        return RESPCommand(["XREAD", "COUNT", String(batch), "BLOCK", String(milliseconds), "STREAMS", stream, position])
    }

    /// The entries of an `XREAD` reply (RESP2 array or RESP3 map; null when it timed out).
    static func entries(in reply: RESPValue) throws -> [RedisStreamEntry] {
        let lists: [RESPValue]
        switch reply {
        case .null: return []
        case .map(let pairs): lists = pairs.map(\.value)
        case .array(let streams):
            lists = try streams.map { stream in
                guard let pair = stream.elements, pair.count == 2 else {
                    throw RedisError.unexpectedReply("XREAD stream: \(stream)")
                }
                return pair[1]
            }
        default: throw RedisError.unexpectedReply("XREAD: \(reply)")
        }
        var entries: [RedisStreamEntry] = []
        for list in lists {
            guard let items = list.elements else { throw RedisError.unexpectedReply("XREAD entries: \(list)") }
            for item in items {
                guard let parts = item.elements, parts.count == 2, let id = parts[0].string,
                    let flat = parts[1].elements, flat.count % 2 == 0 else {
                    throw RedisError.unexpectedReply("XREAD entry: \(item)")
                }
                let strings = flat.map { $0.string ?? "" }
                let names = stride(from: 0, to: strings.count, by: 2).map { strings[$0] }
                let fieldValues = stride(from: 1, to: strings.count, by: 2).map { strings[$0] }
                entries.append(RedisStreamEntry(id: id, names: names, values: fieldValues))
            }
        }
        return entries
    }
}
