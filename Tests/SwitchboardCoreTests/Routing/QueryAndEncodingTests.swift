import Testing
@testable import SwitchboardCore

@Suite("Query strings and percent-encoding")
struct QueryAndEncodingTests {
    @Test("repeated keys keep every value in order; the first is the subscript's")
    func repeatedKeys() throws {
        let query = Query(url: "/x?tag=a&page=2&tag=b&tag=")
        #expect(try query["tag"] == "a")
        #expect(try query.all("tag") == ["a", "b", ""])
        #expect(try query["page"] == "2")
        #expect(try query["missing"] == nil)
        #expect(try query.items.map(\.name) == ["tag", "page", "tag", "tag"])
    }

    @Test("keys and values are decoded, + is a space, a key without = has the empty value")
    func decoding() throws {
        let query = Query(url: "/x?q=red+shoes%21&na%6De=J%C3%BCrgen&flag&plus=1%2B1")
        #expect(try query["q"] == "red shoes!")
        #expect(try query["name"] == "Jürgen")
        #expect(try query["flag"] == "")
        #expect(try query["plus"] == "1+1")
        #expect(try query.contains("flag"))
    }

    @Test("reading a value or passing a key with a malformed escape throws 400 naming the parameter")
    func malformedQueryEscape() throws {
        let query = Query(url: "/x?a=100%&b=%zz&c=ok&d%G=1")
        #expect(throws: HTTPError(.badRequest, #"malformed percent-encoding in query parameter "a""#)) { try query["a"] }
        #expect(throws: HTTPError(.badRequest, #"malformed percent-encoding in query parameter "b""#)) { try query.all("b") }
        #expect(try query["c"] == "ok")
        #expect(throws: HTTPError(.badRequest, #"malformed percent-encoding in query parameter "d%G""#)) { try query["e"] }
        #expect(throws: HTTPError.self) { try query.items }
    }

    @Test("a url without ? has an empty query")
    func noQuery() throws {
        #expect(Query(url: "/x").isEmpty)
        #expect(try Query(url: "/x").items.isEmpty)
    }

    @Test("percent-decoding rejects lone and non-hex escapes")
    func validation() {
        #expect(PercentEncoding.isValid(Array("a%20b".utf8)))
        #expect(!PercentEncoding.isValid(Array("a%2".utf8)))
        #expect(!PercentEncoding.isValid(Array("%GG".utf8)))
        #expect(PercentEncoding.decode(Array("%E2%9C%93".utf8)) == "✓")
        #expect(PercentEncoding.decode(Array("%".utf8)) == nil)
    }

    @Test("encoding keeps only unreserved bytes and round-trips through decoding")
    func encoding() {
        let text = "a b/c?d&e=f~g.h-i_j✓%"
        let encoded = PercentEncoding.encode(text)
        #expect(encoded == "a%20b%2Fc%3Fd%26e%3Df~g.h-i_j%E2%9C%93%25")
        #expect(PercentEncoding.decode(Array(encoded.utf8)) == text)
    }

    @Test("invalid patterns are described")
    func patternErrors() {
        func problem(_ text: String) -> String? {
            if case .failure(let error) = PathPattern.parse(text) { return error.description }
            return nil
        }
        #expect(problem("/a/**/b") == "`**` must be the last segment")
        #expect(problem("/a/:") == "a parameter needs a name after `:`")
        #expect(problem("/a/:id/:id") == "parameter `:id` appears twice")
        #expect(problem("/a/:id/*/**") == nil)
        #expect(PathPattern("//a///:b/").description == "/a/:b")
    }
}
