import Foundation

/// Maps request paths to files of a folder, safely: no `..`, no hidden files, no escaping the
/// folder.
struct StaticFiles: Sendable {
    /// The largest file served, in bytes.
    static let maxFileSize = 16 << 20

    let folder: URL

    init(folder: String) {
        self.folder = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
    }

    /// The file for `uri` (path and optional query), or `nil` when the path is not servable.
    func file(for uri: String) -> URL? {
        let path = String(uri.prefix { $0 != "?" && $0 != "#" })
        guard let decoded = PercentEncoding.decode(path.utf8) else { return nil }
        var segments: [String] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            guard !segment.hasPrefix("."), !segment.contains("\\"), !segment.contains("\0") else { return nil }
            segments.append(String(segment))
        }
        var url = folder
        for segment in segments { url.appendPathComponent(segment) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url.appendPathComponent("index.html")
        }
        let standardized = url.standardizedFileURL
        guard standardized.path.hasPrefix(folder.path + "/") else { return nil }
        return standardized
    }

    /// The `Content-Type` for a file name.
    static func contentType(for url: URL) -> String {
        switch url.pathExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "ico": "image/x-icon"
        case "txt", "md": "text/plain; charset=utf-8"
        case "wasm": "application/wasm"
        default: "application/octet-stream"
        }
    }
}
