import Foundation

/// A value guarded by a lock. (`Synchronization.Mutex` needs macOS 15; the package supports 14.)
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) { self.state = state }

    /// Runs `body` with exclusive access. Never resume continuations or call out inside `body`.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}

/// Keeps a librdkafka handle alive while it is in use on other threads.
///
/// Every call into the handle outside its owning poll thread goes through ``use(_:)``; the owner
/// calls ``retire()`` before destroying the handle, which refuses new users and waits for the
/// current ones to leave.
final class HandleGuard: @unchecked Sendable {
    private let condition = NSCondition()
    private var users = 0
    private var retired = false
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    /// Runs `body` with the handle, or throws ``KafkaError/isClosed`` once retired.
    func use<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        condition.lock()
        guard !retired else {
            condition.unlock()
            throw KafkaError.closed()
        }
        users += 1
        condition.unlock()
        defer {
            condition.lock()
            users -= 1
            if users == 0 { condition.broadcast() }
            condition.unlock()
        }
        return try body(handle)
    }

    /// Whether ``retire()`` has run.
    var isRetired: Bool {
        condition.lock()
        defer { condition.unlock() }
        return retired
    }

    /// Refuses new users and blocks until current ones are done. Call on a dedicated thread only.
    func retire() {
        condition.lock()
        retired = true
        while users > 0 { condition.wait() }
        condition.unlock()
    }
}

/// A C pointer that is handed between threads under this module's own synchronisation.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Blocking librdkafka calls (flush, synchronous commit, admin waits, metadata) run here,
/// never on the Swift cooperative thread pool.
enum BlockingExecutor {
    private static let queue = DispatchQueue(label: "leadflow.kafka.blocking", attributes: .concurrent)

    /// Runs `body` on a thread outside the cooperative pool and returns its result.
    static func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Non-throwing variant of ``run(_:)``.
    static func run<R: Sendable>(_ body: @escaping @Sendable () -> R) async -> R {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}

extension Duration {
    /// Whole milliseconds, clamped to `Int32` range (librdkafka timeouts are `int`).
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }
}
