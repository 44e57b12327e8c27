import Switchboard

/// The demo's board routes:
///
/// - `GET /boards` (subscribes to the list's room, `boards`), `POST /boards` `{"name": …}`,
///   `GET /boards/:id` (subscribes to the board's room, `board-<id>`), `PUT /boards/:id`
///   `{"name": …}`, `DELETE /boards/:id` (role `admin`)
/// - `GET /me`: who the connection belongs to
/// - `GET /slow`: an answer that is awaited (200 ms), to show asynchronous handlers
///
/// The boards come from a ``BoardStore``: in memory for one node, in Redis when the nodes of a
/// cluster share them (`--redis`), which is why the board handlers are asynchronous.
///
/// Every route is behind bearer auth: the identity from the handshake, or 401 once it has
/// expired (refresh in-band with `POST /_switchboard/auth`). Changes are pushed with the
/// events of the catalogue (``DemoEvents``), each a JSON Merge Patch (``ResourceUpdate``): a
/// creation to the list's room (`boards`), a rename and a deletion to the board's room
/// (`board-<id>`). The GET routes subscribe the reader to those rooms, so after a reconnect a
/// client resumes from exactly what it read. The connection that made the change gets the push
/// too (applying the same patch again changes nothing): leaving it out would leave a gap in
/// that connection's offsets of the room, which it would have to treat as missed pushes.
enum BoardRoutes {
    struct BoardName: Decodable { var name: String }
    struct Me: Encodable, Sendable { var userId: String; var roles: [String] }
    struct Slow: Encodable, Sendable { var answer: String }

    static func router(store: any BoardStore) -> Router {
        var router = Router()
        router.use(.bearerAuth(verify: DemoTokens.identity(for:)))

        router.get("/me") { req, _ in
            Me(userId: req.identity?.userId ?? "", roles: req.identity?.roles.sorted() ?? [])
        }
        router.get("/slow") { _, _ async throws in
            try await Task.sleep(for: .milliseconds(200))
            return Slow(answer: "worth the wait")
        }
        router.get("/boards") { req, _ async throws in
            try req.subscribe(to: .boards)
            return try await store.all()
        }
        router.post("/boards") { req, res async throws in
            let board = try await store.create(name: try name(in: req), owner: req.identity?.userId ?? "")
            let update = ResourceUpdate(id: String(board.id), changes: try JSONValue(encoding: board), updatedAt: board.updatedAt)
            res.push(try DemoEvents.boardCreated.message(id: String(board.id), update), to: .room(.boards))
            _ = res.status(.created)
            return board
        }
        router.get("/boards/:id") { req, _ async throws in
            let id = try await board(req, store).id
            // Subscribed before the board is read again: a change in between shows in both.
            try req.subscribe(to: .board(String(id)))
            return try await board(req, store)
        }
        router.put("/boards/:id") { req, res async throws in
            let id = try req.params.require("id", as: Int.self)
            guard let (old, new) = try await store.rename(id, to: try name(in: req)) else { throw HTTPError(.notFound, "no board \(id)") }
            let update = try ResourceUpdate(id: String(id), from: old, to: new, updatedAt: new.updatedAt)
            res.push(try DemoEvents.boardUpdated.message(id: String(id), update), to: .room(.board(String(id))))
            return new
        }
        router.delete("/boards/:id", .requireRole("admin")) { req, res async throws in
            let board = try await board(req, store)
            _ = try await store.delete(board.id)
            let update = ResourceUpdate(id: String(board.id), changes: .null, updatedAt: RoomRegistry.millisecondsSince1970())
            res.push(try DemoEvents.boardDeleted.message(id: String(board.id), update), to: .room(.board(String(board.id))))
            res.status(.noContent).end()
        }
        return router
    }

    private static func board(_ req: Request, _ store: any BoardStore) async throws -> Board {
        let id = try req.params.require("id", as: Int.self)
        guard let board = try await store.board(id) else { throw HTTPError(.notFound, "no board \(id)") }
        return board
    }

    private static func name(in req: Request) throws -> String {
        guard let body = try? req.decode(BoardName.self), !body.name.isEmpty else {
            throw HTTPError(.badRequest, "body must be {\"name\": \"…\"}")
        }
        return body.name
    }
}
