import NIOCore

/// Runs a task's jobs on one event loop. A request that waits on an execution environment (a synchronous Invoke) runs
/// on its connection's loop: without it each invocation crossed threads four times (loop → concurrency pool →
/// environment's loop → pool → loop), a measurable share of a warm invoke on a small machine.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
