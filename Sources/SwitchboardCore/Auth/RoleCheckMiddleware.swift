/// Role checks as middleware, for routes and groups behind authentication.
///
/// No identity → 401; an identity without the required roles → 403. Synchronous, so they keep
/// synchronous routes on the inline fast path.
extension Middleware {
    /// Lets through requests whose identity has every one of `roles`.
    public static func requireRole(_ roles: String...) -> Middleware {
        let required = Set(roles)
        return .sync { req, _ in
            let identity = try RoleCheck.identity(of: req)
            guard required.isSubset(of: identity.roles) else {
                throw HTTPError(.forbidden, "requires role \(required.sorted().joined(separator: ", "))")
            }
        }
    }

    /// Lets through requests whose identity has at least one of `roles`.
    public static func requireAnyRole(_ roles: String...) -> Middleware {
        let accepted = Set(roles)
        return .sync { req, _ in
            let identity = try RoleCheck.identity(of: req)
            guard !accepted.isDisjoint(with: identity.roles) else {
                throw HTTPError(.forbidden, "requires one of the roles \(accepted.sorted().joined(separator: ", "))")
            }
        }
    }
}

/// Shared parts of the role checks.
enum RoleCheck {
    /// The request's unexpired identity; throws 401 when there is none.
    static func identity(of request: Request) throws -> Identity {
        guard let identity = request.identity, !identity.isExpired() else {
            throw HTTPError(.unauthorized, "authentication required")
        }
        return identity
    }
}
