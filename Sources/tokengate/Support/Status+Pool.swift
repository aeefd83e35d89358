import TokenGateWire

extension Status {
    /// This status with its v1 fields describing pool `name` instead of `default`: what the
    /// one-shot commands print for `--pool NAME`. Unchanged when there is no such pool.
    func viewed(asPool name: String?) -> Status {
        guard let name, let pool = pools?.first(where: { $0.name == name }) else { return self }
        var view = self
        view.state = pool.state
        view.limit = pool.limit
        view.threshold = pool.threshold
        view.used = pool.used
        view.reserved = pool.reserved
        view.inFlight = pool.inFlight
        view.waiting = pool.waiting
        view.cooldownRemainingMs = pool.cooldownRemainingMs
        view.budgets = pool.budgets
        return view
    }
}
