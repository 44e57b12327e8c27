import NIOCore

/// A task executor that runs jobs on one event loop.
///
/// Pending requests run their handlers' tasks with this as their executor preference, so a
/// handler that does not hop elsewhere (to an actor, say) runs on its connection's event loop
/// and its reply is written without a thread hop either way.
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
