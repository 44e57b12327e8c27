import SwitchboardCore

/// Requests by method and path, and one-way messages.
///
/// Each returns the ``ClientResponse`` for any status: check `status`, or call
/// ``ClientResponse/decode(_:)`` / ``ClientResponse/requireSuccess()``, which throw
/// ``SwitchboardClientError/status(code:message:)`` for non-2xx. On the way the client acts on
/// statuses: a 401 makes it ask the token provider, refresh in-band
/// (`POST /_switchboard/auth`) and send the request once more; a 429 or 503 to an idempotent
/// request (GET, HEAD, PUT, DELETE, OPTIONS) is retried after a wait
/// (``ClientConfiguration/busyRetryLimit``, ``ClientConfiguration/busyRetryDelay``).
extension SwitchboardClient {
    /// `GET path`.
    public func get(_ path: String, options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.get, path, options: options)
    }

    /// `POST path` with `body`.
    public func post(_ path: String, _ body: some Sequence<UInt8> = [], options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.post, path, body: Array(body), options: options)
    }

    /// `PUT path` with `body`.
    public func put(_ path: String, _ body: some Sequence<UInt8> = [], options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.put, path, body: Array(body), options: options)
    }

    /// `PATCH path` with `body`.
    public func patch(_ path: String, _ body: some Sequence<UInt8> = [], options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.patch, path, body: Array(body), options: options)
    }

    /// `DELETE path`, with an optional body.
    public func delete(_ path: String, _ body: some Sequence<UInt8> = [], options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.delete, path, body: Array(body), options: options)
    }

    /// `HEAD path`: like GET, answered without a body.
    public func head(_ path: String, options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.head, path, options: options)
    }

    /// `OPTIONS path`: which methods the path allows.
    public func options(_ path: String, options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        try await request(.options, path, options: options)
    }

    /// `method path` with `body` (bytes; JSON by convention).
    /// - Throws: ``SwitchboardClientError`` when no response arrives: `.timedOut`,
    ///   `.connectionLost`, `.queueFull`, `.queueTimedOut`, `.notConnected`, `.closed`,
    ///   `.invalidRequest` (a url the protocol cannot carry), `.cancelled`.
    public func request(_ method: Method, _ path: String, body: [UInt8] = [], options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) -> ClientResponse {
        let isReserved = path.hasPrefix(ReservedPaths.prefix)
        var key = options.idempotencyKey
        if key == nil && !method.isIdempotent && configuration.automaticIdempotencyKeys && !isReserved {
            key = IdempotencyKey.random()
        }
        let url = key.map { IdempotencyKey.url(path, key: $0) } ?? path
        try validate(url)
        let replayable = method.isIdempotent || key != nil
        var response = try await roundTrip(method, url, body, replayable: replayable, options: options)
        if response.status == .unauthorized, configuration.tokenProvider != nil, !isReserved, await refreshCredentials() {
            response = try await roundTrip(method, url, body, replayable: replayable, options: options)
        }
        var retries = 0
        var delay = configuration.busyRetryDelay
        while response.status == .tooManyRequests || response.status == .serviceUnavailable, method.isIdempotent, retries < configuration.busyRetryLimit {
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .cancelled
            }
            retries += 1
            delay *= 2
            response = try await roundTrip(method, url, body, replayable: replayable, options: options)
        }
        return response
    }

    /// Sends a one-way MESSAGE frame to `path` (routed to the server's message handler; never
    /// answered). Returns once the frame is handed to the socket.
    /// - Throws: ``SwitchboardClientError`` `.queueFull`, `.queueTimedOut`, `.notConnected`,
    ///   `.closed`, `.invalidRequest`, `.cancelled`.
    public func send(_ path: String, _ body: some Sequence<UInt8> = [], options: RequestOptions = RequestOptions()) async throws(SwitchboardClientError) {
        try validate(path)
        _ = try await exchange(nil, path, Array(body), replayable: false, options: options).get()
    }

    /// One request and its response, no status handling.
    func roundTrip(_ method: Method, _ url: String, _ body: [UInt8], replayable: Bool, options: RequestOptions) async throws(SwitchboardClientError) -> ClientResponse {
        let outcome = await exchange(method, url, body, replayable: replayable, options: options)
        guard let response = try outcome.get() else { throw .connectionLost }
        return response
    }

    /// Asks the token provider for a token and hands it to the server
    /// (`POST /_switchboard/auth`); one refresh at a time, shared by every caller meanwhile.
    /// - Returns: whether the server accepted the token.
    func refreshCredentials() async -> Bool {
        let task = core.withLock { core -> Task<Bool, Never> in
            if let running = core.refresh { return running }
            let task = Task<Bool, Never> {
                defer { self.core.withLock { $0.refresh = nil } }
                guard let provider = self.configuration.tokenProvider, let token = try? await provider() else { return false }
                let response = try? await self.roundTrip(.post, ReservedPaths.auth, Array(token.utf8), replayable: false, options: RequestOptions())
                return response?.status == .ok
            }
            core.refresh = task
            return task
        }
        return await task.value
    }

    private func validate(_ url: String) throws(SwitchboardClientError) {
        guard url.hasPrefix("/") else { throw .invalidRequest("the path must start with '/': \(url)") }
        do {
            try FrameCodec.validate("url", url, max: FrameCodec.maxURLLength)
        } catch {
            throw .invalidRequest("\(error)")
        }
    }
}
