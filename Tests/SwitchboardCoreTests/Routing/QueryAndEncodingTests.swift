import Testing
@testable import SwitchboardCore

@Suite("Query strings and percent-encoding")
struct QueryAndEncodingTests {
    @Test("repeated keys keep every value in order; the first is the subscript's")
    func repeatedKeys() {
        let query = Query(url: "/x?tag=a&page=2&tag=b&tag=")
        #expect(query["tag"] == "a")
        #expect(query.all("tag") == ["a", "b", ""])
        #expect(query["page"] == "2")
        #expect(query["missing"] == nil)
        #expect(query.items.map(\.name) == ["tag", "page", "tag", "tag"])
    }

    @Test("keys and values are decoded, + is a space, a key without = has the empty value")
    func decoding() {
        let query = Query(url: "/x?q=red+shoes%21&na%6De=J%C3%BCrgen&flag")
        #expect(query["q"] == "red shoes!")
        #expect(query["name"] == "Jürgen")
        #expect(query["flag"] == "")
        #expect(query.contains("flag"))
    }

    @Test("a malformed escape in the query is kept as received, not an error")
    func malformedQueryEscape() {
        #expect(Query(url: "/x?a=100%&b=%zz")["a"] == "100%")
        #expect(Query(url: "/x?a=100%&b=%zz")["b"] == "%zz")
    }

    @Test("a url without ? has an empty query")
    func noQuery() {
        #expect(Query(url: "/x").isEmpty)
        #expect(Query(url: "/x").items.isEmpty)
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
