// switchboard-fanout: one broadcast of a small push to many members of a room, counted at the
// clients, against Switchboard and against a bare SwiftNIO WebSocket server (the baseline).
//
//   switchboard-fanout run [options]        the client side: spawns each server, measures, reports
//   switchboard-fanout server <mode> ...    one server process driven over stdin (spawned by `run`)
//   switchboard-fanout history [options]    resident memory of room histories (DELIVERY.md)
//
// See Benchmarks/FANOUT.md and Benchmarks/DELIVERY.md.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "server":
        let options = try ServerOptions(parsing: Array(arguments.dropFirst()))
        try await FanoutServerProcess.run(options)
    case "history":
        try HistoryMemory.run(try HistoryOptions(parsing: Array(arguments.dropFirst())))
    case "run":
        let options = try RunOptions(parsing: Array(arguments.dropFirst()))
        try FanoutRun(options: options).run()
    default:
        FileHandle.standardError.write(Data((RunOptions.usage + "\n" + HistoryOptions.usage + "\n").utf8))
        exit(arguments.first == "--help" || arguments.first == "-h" ? 0 : 64)
    }
} catch {
    FileHandle.standardError.write(Data("switchboard-fanout: \(error)\n".utf8))
    exit(1)
}
