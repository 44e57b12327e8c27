import Testing
@testable import SwitchboardCore

@Suite("Event catalogue")
struct EventTests {
    @Test("the catalogue holds seed 002's fourteen events by name")
    func names() {
        #expect(Event.allCases.map(\.rawValue) == [
            "update-user", "create-organization", "update-organization", "delete-organization",
            "create-board", "update-board", "delete-board", "create-task", "update-task", "delete-task",
            "create-sprint", "update-sprint", "delete-sprint", "new-message",
        ])
    }

    @Test("each event has a push url under its resource")
    func urls() {
        #expect(Event.updateBoard.urlPattern == "/boards/:id/updated")
        #expect(Event.updateBoard.url(id: "7") == "/boards/7/updated")
        #expect(Event.createOrganization.url(id: "3") == "/organizations/3/created")
        #expect(Event.deleteSprint.url(id: "9") == "/sprints/9/deleted")
        #expect(Event.updateUser.url(id: "u1") == "/users/u1/updated")
        #expect(Event.newMessage.url(id: "chat-a-b") == "/chats/chat-a-b/new-message")
        #expect(Event.updateTask.isUpdate && !Event.createTask.isUpdate)
        #expect(Set(Event.allCases.map(\.urlPattern)).count == Event.allCases.count)
    }

    @Test("ids are percent-encoded so every url can go on the wire")
    func encodedIDs() throws {
        #expect(Event.updateBoard.url(id: "a b|c") == "/boards/a%20b%7Cc/updated")
        for event in Event.allCases {
            try FrameCodec.validate("url", event.url(id: "x y/é"), max: FrameCodec.maxURLLength)
        }
    }
}
