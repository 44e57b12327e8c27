import Foundation
import Testing
@testable import SwitchboardCore

@Suite("JSON Merge Patch")
struct JSONMergePatchTests {
    /// RFC 7396, Appendix A: (original, patch, result).
    static let rfcExamples: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("apply gives RFC 7396's appendix results", arguments: rfcExamples)
    func rfcAppendix(original: String, patch: String, result: String) throws {
        let applied = JSONMergePatch.apply(try JSONValue(json: patch), to: try JSONValue(json: original))
        #expect(applied == (try JSONValue(json: result)))
        #expect(applied.description == result)
    }

    @Test("diff lists changed, added and removed members, recursing into objects")
    func diffShape() throws {
        let old = try JSONValue(json: #"{"name":"Board","color":"red","owner":{"id":1,"name":"Al"},"tags":["a"],"gone":true}"#)
        let new = try JSONValue(json: #"{"name":"Roadmap","color":"red","owner":{"id":1,"name":"Alice"},"tags":["a","b"],"new":0}"#)
        let patch = JSONMergePatch.diff(from: old, to: new)
        #expect(patch.description == #"{"gone":null,"name":"Roadmap","new":0,"owner":{"name":"Alice"},"tags":["a","b"]}"#)
        #expect(JSONMergePatch.apply(patch, to: old) == new)
    }

    @Test("the diff of equal objects is the empty patch")
    func emptyDiff() throws {
        let value = try JSONValue(json: #"{"a":{"b":[1,2]},"c":1.5}"#)
        #expect(JSONMergePatch.diff(from: value, to: value) == .object([:]))
    }

    @Test("diff then apply gives back the new document, for the RFC's documents taken pairwise (null-free)")
    func roundTrip() throws {
        let documents = try Self.rfcExamples.flatMap { [$0.0, $0.2] }.map { try JSONValue(json: $0) }
            .filter { !$0.description.contains("null") }
        for old in documents {
            for new in documents {
                #expect(JSONMergePatch.apply(JSONMergePatch.diff(from: old, to: new), to: old) == new, "\(old) -> \(new)")
            }
        }
    }

    struct Task: Codable, Equatable {
        var title: String
        var done: Bool
        var estimate: Double?
        var labels: [String]
    }

    @Test("diff and apply work on Codable values")
    func codable() throws {
        let old = Task(title: "Write tests", done: false, estimate: 2.5, labels: ["core"])
        let new = Task(title: "Write tests", done: true, estimate: nil, labels: ["core", "rooms"])
        let patch = try JSONMergePatch.diff(from: old, to: new)
        #expect(patch.description == #"{"done":true,"estimate":null,"labels":["core","rooms"]}"#)
        #expect(try JSONMergePatch.apply(patch, to: old) == new)
    }

    @Test("numbers keep integers exact and compare by value")
    func numbers() throws {
        #expect(try JSONValue(json: "9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try JSONValue(json: "1.5") == .double(1.5))
        #expect(JSONValue.integer(2) == .double(2.0))
        #expect(JSONValue.integer(2) != .double(2.5))
        #expect(JSONValue.bool(true) != .integer(1))
    }
}
