import Testing
@testable import SwitchboardCore

/// A feature that records nothing, for handshake tests.
struct ChatStub: Feature {
    let name = "chat"
    func open(_ session: FeatureSession) -> [FeatureAction] { [.join(session.stream.room, session.connection.id)] }
    func message(_ body: ArraySlice<UInt8>, in session: FeatureSession) -> [FeatureAction] {
        [.push(PushMessage(url: "/chat/" + session.stream.rawValue, body: Array(body)), to: .room(session.stream.room, excluding: nil))]
    }
}

@Suite("Feature handshake and streams")
struct FeatureHandshakeTests {
    let features = FeatureSet([Presence(), ChatStub()])

    @Test("stream names parse type:id:field and nested type:id pairs")
    func streams() throws {
        let simple = try StreamName("board:7:presence")
        #expect(simple.path.map(\.type) == ["board"])
        #expect(simple.path.map(\.id) == ["7"])
        #expect(simple.field == "presence")
        #expect(simple.room == "board:7:presence")
        let nested = try StreamName("stream:123:thread:345:chat")
        #expect(nested.path.map { "\($0.type)=\($0.id)" } == ["stream=123", "thread=345"])
        #expect(nested.field == "chat")
    }

    @Test("invalid stream names say what is wrong", arguments: [
        ("", StreamNameError.empty),
        ("board:7", .wrongSegmentCount(2)),
        ("board:7:thread:presence", .wrongSegmentCount(4)),
        ("board::presence", .emptySegment(index: 1)),
        ("board:7:pres ence", .invalidCharacter(" ", segment: 2)),
        ("board:7:a|b", .invalidCharacter("|", segment: 2)),
        (String(repeating: "a:", count: 128) + "b", .tooLong(257)),
    ])
    func invalidStreams(text: String, expected: StreamNameError) {
        #expect(throws: expected) { try StreamName(text) }
    }

    @Test("the query lists name@stream items, comma-separated, percent-encoded or not, clients= too")
    func parse() throws {
        let handshake = try features.handshake(query: "/ws?token=x&features=presence@board:7:presence,chat%40board%3A7%3Achat&clients=chat@stream:1:thread:2:chat")
        #expect(handshake.requests.map { "\($0.feature.name)@\($0.stream)" } == ["presence@board:7:presence", "chat@board:7:chat", "chat@stream:1:thread:2:chat"])
        #expect(handshake.unknownNames.isEmpty)
    }

    @Test("unknown features are ignored next to a known one, and duplicates collapse")
    func unknownIgnored() throws {
        let handshake = try features.handshake(query: "features=notifications@user:1:inbox,presence@board:7:presence,presence@board:7:presence")
        #expect(handshake.requests.count == 1)
        #expect(handshake.unknownNames == ["notifications"])
    }

    @Test("naming only unknown features is refused with 1008, naming them and the known ones")
    func onlyUnknown() {
        let error = #expect(throws: FeatureHandshakeError.self) { try features.handshake(query: "features=video@room:1:call,typing@a:1:b") }
        #expect(error == .noKnownFeature(requested: ["video", "typing"], known: ["chat", "presence"]))
        #expect(error?.closeCode == 1008)
        #expect(error?.closeReason == "no known feature in video, typing (known: chat, presence)")
    }

    @Test("a known feature without a stream is refused, naming the feature")
    func missingStream() {
        #expect(throws: FeatureHandshakeError.missingStream(feature: "presence")) { try features.handshake(query: "features=presence") }
        #expect(throws: FeatureHandshakeError.missingStream(feature: "chat")) { try features.handshake(query: "features=presence@a:1:b,chat@") }
        #expect(FeatureHandshakeError.missingStream(feature: "chat").closeReason == "feature 'chat' has no stream: use chat@type:id:field")
    }

    @Test("a known feature with an invalid stream is refused with the stream's problem")
    func invalidStream() {
        let error = #expect(throws: FeatureHandshakeError.self) { try features.handshake(query: "features=presence@board:7") }
        #expect(error?.closeReason == "feature 'presence': invalid stream 'board:7': 2 segment(s); expected type:id:field (or type:id:type:id:field)")
    }

    @Test("an item without a name is malformed")
    func malformed() {
        #expect(throws: FeatureHandshakeError.malformedItem("@board:7:chat")) { try features.handshake(query: "features=@board:7:chat") }
    }

    @Test("no features is fine unless the set requires them")
    func noFeatures() throws {
        #expect(try features.handshake(query: "/ws?token=abc").requests.isEmpty)
        #expect(try features.handshake(query: "").requests.isEmpty)
        let strict = FeatureSet([Presence()], requireFeatures: true)
        #expect(throws: FeatureHandshakeError.noFeaturesRequested(known: ["presence"])) { try strict.handshake(query: "/ws?features=") }
    }

    @Test("close reasons fit the 123 bytes of a close frame")
    func longReason() {
        let names = (0..<40).map { "feature\($0)" }
        let reason = FeatureHandshakeError.noKnownFeature(requested: names, known: ["presence"]).closeReason
        #expect(reason.utf8.count <= 123)
        #expect(reason.hasSuffix("..."))
        #expect(reason.hasPrefix("no known feature in feature0, feature1"))
    }

    @Test("a stream whose room the policy refuses is a 1008 refusal, and nothing opens")
    func forbiddenStream() throws {
        let rooms = RoomRegistry()
        let handshake = try features.handshake(query: "features=chat@board:7:chat")
        let connection = TestConnection("c1", user: "alice")
        let error = #expect(throws: FeatureHandshakeError.self) { try features.open(handshake, for: connection, rooms: rooms) }
        #expect(error?.closeReason.hasPrefix("feature 'chat' on 'board:7:chat' refused") == true)
        #expect(features.close(connection.id).isEmpty)
    }

    @Test("message urls /features/<name>/<stream> address a feature's session")
    func messageRouting() throws {
        let connections = ConnectionRegistry<String>()
        let rooms = RoomRegistry(policy: .everyRoom)
        let publisher = PushPublisher(connections: connections, rooms: rooms)
        let connection = TestConnection("c1", user: "alice")
        connections.add(id: connection.id, handle: "h1", userId: "alice")
        _ = try features.perform(try features.open(try features.handshake(query: "features=chat@board:7:chat"), for: connection, rooms: rooms), with: publisher)
        let target = try #require(features.messageTarget(url: "/features/chat/board:7:chat"))
        let actions = features.message([0x31], toFeature: target.feature, stream: target.stream, from: connection.id)
        let deliveries = try features.perform(actions, with: publisher)
        #expect(deliveries.map { ids($0.recipients) } == [["c1"]])
        #expect(features.message([], toFeature: "chat", stream: try StreamName("board:8:chat"), from: connection.id).isEmpty)
        #expect(features.messageTarget(url: "/features/chat/board:7") == nil)
        #expect(features.messageTarget(url: "/boards/7") == nil)
    }
}
