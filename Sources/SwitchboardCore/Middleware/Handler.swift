/// A route handler, normalized: it answers through the response.
enum Handler: Sendable {
    case sync(@Sendable (Request, Response) throws -> Void)
    case async(@Sendable (Request, Response) async throws -> Void)
}
