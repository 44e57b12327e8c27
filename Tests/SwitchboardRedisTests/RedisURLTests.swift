import Testing
@testable import SwitchboardRedis

@Suite("Redis URLs")
struct RedisURLTests {
    @Test("a redis:// URL gives host, port, credentials and database; the rest stays at the defaults")
    func parses() throws {
        let full = try RedisConfiguration(url: "redis://worker:s3cret@10.0.0.5:6380/2")
        #expect(full.host == "10.0.0.5" && full.port == 6380 && full.database == 2)
        #expect(full.username == "worker" && full.password == "s3cret")
        let short = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(short.host == "127.0.0.1" && short.port == 6379 && short.database == 0 && short.password == nil)
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@localhost:7000")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw" && passwordOnly.port == 7000)
    }

    @Test("another scheme, an empty host or a bad port is refused with the reason")
    func refuses() {
        #expect(throws: RedisConfiguration.URLError(url: "http://x", reason: "the scheme must be redis://")) {
            try RedisConfiguration(url: "http://x")
        }
        #expect(throws: RedisConfiguration.URLError(url: "redis://:6379", reason: "the host is empty")) {
            try RedisConfiguration(url: "redis://:6379")
        }
        #expect(throws: RedisConfiguration.URLError(url: "redis://h:99999", reason: "the port must be a number from 1 to 65535")) {
            try RedisConfiguration(url: "redis://h:99999")
        }
    }
}
