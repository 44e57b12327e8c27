/// Bearer-token authentication as middleware.
///
/// A socket request has no `Authorization` header, so the credentials come from, in order:
/// 1. the identity the request already has: one set by earlier middleware, or the
///    connection's identity, established at the WebSocket handshake (from the upgrade
///    request's `Authorization` header, cookie or query token) — accepted without calling
///    `verify` unless it has expired;
/// 2. the request url's `access_token` query parameter (the name is configurable), passed to
///    `verify`.
///
/// No usable identity and no token → 401 `{"error":"missing bearer token"}`; `verify`
/// returning `nil` or an expired identity → 401. The identity found is readable by later
/// middleware and handlers as `req.identity`.
extension Middleware {
    /// Authenticates requests with a synchronous `verify` (token → identity, or `nil` when the
    /// token is not valid); keeps synchronous routes on the inline fast path.
    public static func bearerAuth(
        queryParameter: String = "access_token",
        verify: @escaping @Sendable (String) -> Identity?
    ) -> Middleware {
        .sync { req, _ in
            switch try BearerCredentials.find(in: req, queryParameter: queryParameter) {
            case .identity(let identity):
                req.identity = identity
            case .token(let token):
                req.identity = try BearerCredentials.accept(verify(token))
            }
        }
    }

    /// Authenticates requests with an asynchronous `verify` (e.g. a database lookup); errors it
    /// throws propagate like any handler error.
    public static func bearerAuth(
        queryParameter: String = "access_token",
        verify: @escaping @Sendable (String) async throws -> Identity?
    ) -> Middleware {
        Middleware { req, _, next in
            switch try BearerCredentials.find(in: req, queryParameter: queryParameter) {
            case .identity(let identity):
                req.identity = identity
            case .token(let token):
                req.identity = try BearerCredentials.accept(await verify(token))
            }
            try await next()
        }
    }
}

/// Where a request's credentials are.
enum BearerCredentials {
    case identity(Identity)
    case token(String)

    /// The request's usable identity, else its token; throws 401 when there is neither.
    static func find(in request: Request, queryParameter: String) throws -> BearerCredentials {
        let existing = request.identity
        if let existing, !existing.isExpired() { return .identity(existing) }
        if let token = try request.query[queryParameter], !token.isEmpty { return .token(token) }
        if existing != nil { throw HTTPError(.unauthorized, "credentials expired") }
        throw HTTPError(.unauthorized, "missing bearer token")
    }

    /// `identity` when it is valid; throws 401 otherwise.
    static func accept(_ identity: Identity?) throws -> Identity {
        guard let identity else { throw HTTPError(.unauthorized, "invalid bearer token") }
        guard !identity.isExpired() else { throw HTTPError(.unauthorized, "credentials expired") }
        return identity
    }
}
