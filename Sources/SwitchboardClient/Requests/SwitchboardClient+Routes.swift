#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwitchboardCore

/// Calling typed ``Route`` values: the url is built from the route's pattern, the input sent
/// as JSON, the output decoded. The only place that knows how a route becomes a request.
extension SwitchboardClient {
    /// Calls `route` with `body` as its JSON input.
    /// - Returns: the decoded output (``Empty`` whatever the body).
    /// - Throws: ``SwitchboardClientError/status(code:message:)`` for a non-2xx answer,
    ///   ``SwitchboardClientError/decodingFailed(_:)``, ``SwitchboardClientError/invalidRequest(_:)``
    ///   when a path parameter is missing, or any request error.
    public func call<Input, Output>(
        _ route: Route<Input, Output>, params: [String: String] = [:], query: [(name: String, value: String)] = [],
        body: Input, options: RequestOptions = RequestOptions()
    ) async throws(SwitchboardClientError) -> Output {
        let data: [UInt8]
        if body is Empty {
            data = []
        } else {
            do {
                data = Array(try JSONEncoder().encode(body))
            } catch {
                throw .invalidRequest("the \(Input.self) body does not encode: \(error)")
            }
        }
        let url: String
        do {
            url = try route.url(params: params, query: query)
        } catch {
            throw .invalidRequest("\(route): \(error)")
        }
        let response = try await request(route.method, url, body: data, options: options)
        if let empty = Empty() as? Output {
            try response.requireSuccess()
            return empty
        }
        return try response.decode(Output.self)
    }

    /// Calls `route`, whose input is ``Empty``, without a body.
    public func call<Output>(
        _ route: Route<Empty, Output>, params: [String: String] = [:], query: [(name: String, value: String)] = [],
        options: RequestOptions = RequestOptions()
    ) async throws(SwitchboardClientError) -> Output {
        try await call(route, params: params, query: query, body: Empty(), options: options)
    }
}
