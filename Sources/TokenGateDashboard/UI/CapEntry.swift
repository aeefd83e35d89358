/// The input line of a worker's cap (`c`): what the operator typed, and why it was refused. Enter
/// sets the cap, Esc drops the line, nothing is sent while the input is not a cap. Pure.
///
/// Accepted: a fraction greater than 0 and at most 1 (`0.25`, `.5`, `1`), a percentage greater than
/// 0 and at most 100 (`25%`, `12.5%`), or empty or `none` to clear the cap.
public struct CapEntry: Sendable, Equatable {
    /// The worker whose cap it sets.
    public let worker: String
    /// The worker's cap when the line opened (`nil`: none).
    public let current: Double?
    /// What was typed.
    public private(set) var text = ""
    /// Why the last Enter sent nothing, until the text changes.
    public private(set) var error: String?

    /// The longest input the line takes.
    public static let maximumLength = 16
    /// What the line says after input that is not a cap.
    public static let accepted = "not a cap: type 0.25, 25% (up to 100%) or none"

    public init(worker: String, current: Double?) {
        self.worker = worker
        self.current = current
    }

    /// Adds a typed character.
    public mutating func type(_ character: Character) {
        guard text.count < CapEntry.maximumLength else { return }
        text.append(character)
        error = nil
    }

    /// Deletes the last character.
    public mutating func deleteBackward() {
        guard !text.isEmpty else { return }
        text.removeLast()
        error = nil
    }

    /// What the input asks for.
    public enum Choice: Sendable, Equatable {
        /// Cap the worker at this fraction of each limit.
        case cap(Double)
        /// Remove the worker's cap.
        case clear

        /// The cap to send: `nil` clears.
        public var cap: Double? {
            if case .cap(let value) = self { return value }
            return nil
        }
    }

    /// What the text asks for; `nil` (and ``error`` set) when it is not a cap.
    public mutating func submit() -> Choice? {
        guard let choice = CapEntry.parse(text) else {
            error = CapEntry.accepted
            return nil
        }
        return choice
    }

    /// What `text` asks for: clear for empty or `none`, `nil` when it is not a cap.
    public static func parse(_ text: String) -> Choice? {
        let trimmed = text.trimmingSpaces.lowercased()
        if trimmed.isEmpty || trimmed == "none" { return .clear }
        let percent = trimmed.hasSuffix("%")
        let digits = percent ? String(trimmed.dropLast()).trimmingSpaces : trimmed
        // Digits and at most one point only: no sign, exponent, hex, `inf` or `nan`.
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              digits.filter({ $0 == "." }).count <= 1, digits != ".", let number = Double(digits)
        else { return nil }
        let cap = percent ? number / 100 : number
        guard cap > 0, cap <= 1 else { return nil }
        return .cap(cap)
    }

    /// A cap as a percentage: `25%`, `12.5%`, `100%`.
    public static func text(for cap: Double) -> String {
        let tenths = Int((cap * 1000).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)%" : "\(tenths / 10).\(tenths % 10)%"
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
