#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The platform's lock type, stored inline in ``LockedBox``.
#if canImport(Darwin)
package typealias LockPrimitive = os_unfair_lock
#else
package typealias LockPrimitive = pthread_mutex_t
#endif

/// A value guarded by a lock, shared by every copy of the box, in one heap allocation (the
/// value and the lock live in the same object, as in `NIOLockedValueBox`).
///
/// Used for small per-request and per-connection state that several tasks may touch. It exists
/// because `Synchronization.Mutex` needs macOS 15 and the package supports macOS 14.
package struct LockedBox<Value> {
    private let storage: Storage

    /// A box holding `value`.
    package static func make(_ value: Value) -> LockedBox<Value> {
        LockedBox(storage: Storage.make(value))
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withLock(body)
    }

    private final class Storage: ManagedBuffer<Value, LockPrimitive> {
        static func make(_ value: Value) -> Storage {
            let buffer = create(minimumCapacity: 1) { _ in value }
            // `create` allocates an instance of the class it is called on.
            let storage = unsafeDowncast(buffer, to: Storage.self)
            storage.withUnsafeMutablePointerToElements { lock in
                #if canImport(Darwin)
                lock.initialize(to: os_unfair_lock())
                #else
                lock.initialize(to: pthread_mutex_t())
                pthread_mutex_init(lock, nil)
                #endif
            }
            return storage
        }

        deinit {
            withUnsafeMutablePointerToElements { lock in
                #if !canImport(Darwin)
                pthread_mutex_destroy(lock)
                #endif
                lock.deinitialize(count: 1)
            }
        }

        func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
            try withUnsafeMutablePointers { value, lock in
                #if canImport(Darwin)
                os_unfair_lock_lock(lock)
                defer { os_unfair_lock_unlock(lock) }
                #else
                pthread_mutex_lock(lock)
                defer { pthread_mutex_unlock(lock) }
                #endif
                return try body(&value.pointee)
            }
        }
    }
}

// Every access to the value goes through `withLock`, so the box may be shared across threads
// whenever the value itself may be sent between them.
extension LockedBox: @unchecked Sendable where Value: Sendable {}
