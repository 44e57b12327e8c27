/// Writes commands as Redis expects them: a RESP array of bulk strings.
public enum RESPEncoder {
    /// Appends `command` to `bytes`: `*<count>\r\n` then `$<length>\r\n<argument>\r\n` for each
    /// argument.
    public static func encode(_ command: RedisCommand, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        bytes.append(contentsOf: String(command.arguments.count).utf8)
        bytes.append(contentsOf: crlf)
        for argument in command.arguments {
            bytes.append(UInt8(ascii: "$"))
            bytes.append(contentsOf: String(argument.count).utf8)
            bytes.append(contentsOf: crlf)
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: crlf)
        }
    }

    /// The bytes of `command`.
    public static func encode(_ command: RedisCommand) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(command, into: &bytes)
        return bytes
    }

    private static let crlf: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
}
