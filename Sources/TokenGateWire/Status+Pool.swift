extension Status {
    /// This status with its v1 fields describing pool `name` instead of `default`: state, limit,
    /// threshold, usage, queue figures (by priority too), cooldown and budgets. The queue's head is `default`'s, so
    /// it is dropped for another pool. Unchanged for `default`, for nil, and when there is no such
    /// pool.
    public func viewed(asPool name: String?) -> Status {
        guard let name, name != "default", let pool = pools?.first(where: { $0.name == name }) else { return self }
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
        view.queueByPriority = pool.queueByPriority
        view.queue = nil
        return view
    }
}
