import ArgumentParser
import TokenGateCore

/// `--limit TOKENS` or `--limit auto` (adopt the limit the provider reports in its headers,
/// starting from the default until it does).
enum LimitSetting: ExpressibleByArgument, Equatable {
    case tokens(Int64)
    case auto

    init?(argument: String) {
        if argument.lowercased() == "auto" {
            self = .auto
        } else if let tokens = Int64(argument) {
            self = .tokens(tokens)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .tokens(let tokens): "\(tokens)"
        case .auto: "auto"
        }
    }

    /// The tokens limit to start with.
    var initialTokens: Int64 {
        switch self {
        case .tokens(let tokens): tokens
        case .auto: GateConfiguration.defaultTokenLimit
        }
    }
}
