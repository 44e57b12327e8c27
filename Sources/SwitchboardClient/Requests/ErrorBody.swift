#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads the reason out of an error body, `{"error": "<reason>"}`.
enum ErrorBody {
    private struct Shape: Decodable {
        var error: String
    }

    /// The body's `"error"` member, else the body as text.
    static func reason(in body: ArraySlice<UInt8>) -> String {
        if body.first == UInt8(ascii: "{"), let shape = try? JSONDecoder().decode(Shape.self, from: Data(body)) {
            return shape.error
        }
        return String(decoding: body, as: UTF8.self)
    }
}
