extension Task where Success == Void, Failure == Never {
    /// Starts `operation` in a new task that prefers `executor`: the one way the package starts
    /// work "at once on the connection's event loop, else on the global executor".
    ///
    /// With an `executor`, the task starts at once: `operation` runs on the calling thread up to
    /// its first suspension, then on `executor` (unless it hops to an actor). An operation that
    /// never suspends has finished when this returns, and no job was enqueued anywhere. Call it
    /// on the thread `executor` runs its jobs on, so the first part runs there too.
    ///
    /// Without one, the task is enqueued on the global executor, as `Task { … }` is.
    @discardableResult
    package static func start(
        preferring executor: (any TaskExecutor)?,
        _ operation: sending @escaping () async -> Void
    ) -> Task<Void, Never> {
        if let executor {
            return Task.immediate(executorPreference: executor) { await operation() }
        }
        return Task(operation: operation)
    }
}
