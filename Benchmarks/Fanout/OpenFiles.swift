#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (each connection is a file descriptor).
enum OpenFiles {
    /// Raises the soft limit to the hard limit when `needed` descriptors do not fit.
    static func raiseLimit(atLeast needed: Int) throws {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return }
        if Int(limit.rlim_cur) >= needed { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(RLIMIT_NOFILE_VALUE, &limit)
        guard Int(limit.rlim_cur) >= needed else {
            throw UsageError(description: "\(needed) connections need \(needed) open files; the hard limit is \(limit.rlim_max) (raise it: ulimit -Hn)")
        }
    }

    #if canImport(Glibc)
    private static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
    #endif
}
