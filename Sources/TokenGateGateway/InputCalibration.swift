import NIOConcurrencyHelpers

/// Estimates a request's input tokens from its body's size, per model: the ratio of the input
/// tokens the provider reported to the body's bytes, learnt from every response (the first
/// replaces the starting guess, later ones move it by a fifth of the difference), so the
/// estimate converges on the real tokenizer without the gateway having one.
final class InputCalibration: Sendable {
    /// Tokens per body byte before a model's first response: on the high side (JSON bodies of
    /// English text run near 0.25), so that a first request is not under-reserved.
    static let startingRatio = 0.35
    /// How far one response moves the ratio.
    static let learningRate = 0.2
    /// Models remembered; past this, new models share the starting ratio.
    static let maximumModels = 1024

    private struct Learnt {
        var ratio: Double
        var samples: Int
    }

    private let ratios = NIOLockedValueBox<[String: Learnt]>([:])

    init() {}

    /// The input estimate for a body of `bytes` sent to `model`.
    func estimate(bodyBytes bytes: Int, model: String?) -> Int64 {
        let ratio = ratios.withLockedValue { $0[model ?? ""]?.ratio } ?? Self.startingRatio
        return Int64((Double(bytes) * ratio).rounded(.up))
    }

    /// The ratio `model` has now.
    func ratio(model: String?) -> Double {
        ratios.withLockedValue { $0[model ?? ""]?.ratio } ?? Self.startingRatio
    }

    /// Learns from a response: `inputTokens` (input + cache writes + cache reads) for a body of
    /// `bytes`.
    func learn(bodyBytes bytes: Int, inputTokens: Int64, model: String?) {
        guard bytes > 0, inputTokens >= 0 else { return }
        let observed = Double(inputTokens) / Double(bytes)
        guard observed.isFinite, observed < 100 else { return }
        let key = model ?? ""
        ratios.withLockedValue { ratios in
            if var learnt = ratios[key] {
                learnt.ratio += Self.learningRate * (observed - learnt.ratio)
                learnt.samples += 1
                ratios[key] = learnt
            } else if ratios.count < Self.maximumModels {
                ratios[key] = Learnt(ratio: observed, samples: 1)
            }
        }
    }
}
