import Benchmark

/// A floor, not a router: one pass over the path's UTF-8 bytes that finds each segment's
/// bounds and hashes its bytes, touching every byte once as any router must. Routers are read
/// against it ("× the floor"). It returns the expected route so that it passes the harness's
/// check; only its time and allocations mean anything.
func registerPathScanBaseline(paths: [Lookup]) {
    registerLookupBenchmarks(router: "Floor", paths: paths) { lookup in
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var segments = 0
        let utf8 = lookup.path.utf8
        utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes {
                if byte == UInt8(ascii: "/") {
                    segments += 1
                } else {
                    hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
                }
            }
        }
        blackHole(hash)
        blackHole(segments)
        return lookup.expected
    }
}
