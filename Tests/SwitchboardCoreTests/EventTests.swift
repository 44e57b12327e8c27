import Foundation
import Testing
@testable import SwitchboardCore

/// An application's catalogue, as the tests declare it.
private enum NoteEvents {
    struct Note: Codable, Sendable, Equatable { var id: String; var title: String }
    static let created = PushEvent<Note>("create-note", url: "/notes/:id/created")
    static let updated = PushEvent<ResourceUpdate>("update-note", url: "/notes/:id/updated")
    static let typing = PushEvent<Note>("typing", url: "/folders/:folder/notes/:id/typing", delivery: .latest(key: ""))
}

@Suite("Push events")
struct EventTests {
    @Test("an event builds its push url from its pattern")
    func urls() throws {
        #expect(NoteEvents.updated.name == "update-note")
        #expect(NoteEvents.updated.urlPattern == "/notes/:id/updated")
        #expect(try NoteEvents.updated.url(id: "7") == "/notes/7/updated")
        #expect(try NoteEvents.typing.url(params: ["folder": "f", "id": "3"]) == "/folders/f/notes/3/typing")
    }

    @Test("a missing or empty parameter is a RouteURLError naming it")
    func missingParameter() {
        #expect(throws: RouteURLError.missingParameter("folder")) { try NoteEvents.typing.url(id: "3") }
        #expect(throws: RouteURLError.emptyParameter("id")) { try NoteEvents.created.url(id: "") }
    }

    @Test("ids are percent-encoded so every url can go on the wire")
    func encodedIDs() throws {
        #expect(try NoteEvents.updated.url(id: "a b|c") == "/notes/a%20b%7Cc/updated")
        try FrameCodec.validate("url", NoteEvents.updated.url(id: "x y/é"), max: FrameCodec.maxURLLength)
    }

    @Test("a message carries the typed body as JSON, its time and the event's ephemerality")
    func messages() throws {
        let note = NoteEvents.Note(id: "3", title: "Plan")
        let created = try NoteEvents.created.message(id: "3", note, createdAt: 5)
        #expect(created.url == "/notes/3/created")
        #expect(String(decoding: created.body, as: UTF8.self) == #"{"id":"3","title":"Plan"}"#)
        #expect(created.createdAt == 5 && created.delivery == nil)
        let typing = try NoteEvents.typing.message(params: ["folder": "f", "id": "3"], note)
        #expect(typing.delivery == .latest(key: "") && typing.url == "/folders/f/notes/3/typing")
    }

    @Test("an update event pushes the diff with its update timestamp")
    func updateEvent() throws {
        let update = try ResourceUpdate(id: "3", from: NoteEvents.Note(id: "3", title: "a"), to: NoteEvents.Note(id: "3", title: "b"), updatedAt: 1_700_000_000_123)
        let message = try NoteEvents.updated.message(id: "3", update, createdAt: 1)
        #expect(message.url == "/notes/3/updated")
        #expect(String(decoding: message.body, as: UTF8.self) == #"{"changes":{"title":"b"},"id":"3","updatedAt":1700000000123}"#)
        #expect(try JSONDecoder().decode(ResourceUpdate.self, from: Data(message.body)) == update)
    }
}
