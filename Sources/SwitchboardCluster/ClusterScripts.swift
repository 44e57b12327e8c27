/// The Lua scripts the nodes run in Redis. Each runs atomically: a publish appends to the
/// room's stream and publishes to each node holding the room in one step, so offsets are
/// given in one order and every node sees the room's pushes in that order.
enum ClusterScripts {
    /// Places one push. ARGV: prefix, node, kind (`r` room, `c` connection, `e` everyone,
    /// `d` disconnect a user), target (room, connection id or user id), excluded (connection, and its session after 0x1F),
    /// class (`r` reliable, `l` latest, `v` volatile), latest key, epoch for a new history,
    /// max pushes, max age in ms, created-at, frame, and for a connection on another node the
    /// url's length in bytes (the frame then has an empty room, which the script fills in with
    /// the connection's client room). Returns `{epoch, offset, sequence, now,
    /// nodes published to, room}`; nodes published to is -1 for an unknown connection.
    static let publish = """
        local p, node, kind, target, excluded, cls, key = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local room = ''
        local frame = ARGV[12]
        local nodes
        if kind == 'c' then
          local owner = redis.call('GET', p .. 'conn:' .. target)
          if not owner then return {0, 0, 0, now, -1, ''} end
          local space = string.find(owner, ' ', 1, true)
          nodes = {string.sub(owner, 1, space - 1)}
          room = string.sub(owner, space + 1)
          if ARGV[13] ~= '' then
            local u = tonumber(ARGV[13])
            frame = string.sub(frame, 1, 16 + u) .. room .. string.sub(frame, 17 + u)
          end
        elseif kind == 'r' then
          room = target
          redis.call('ZREMRANGEBYSCORE', p .. 'room:' .. room, '-inf', now)
          nodes = redis.call('ZRANGE', p .. 'room:' .. room, 0, -1)
        else
          redis.call('ZREMRANGEBYSCORE', p .. 'nodes', '-inf', now)
          nodes = redis.call('ZRANGE', p .. 'nodes', 0, -1)
        end
        local epoch, offset, seq = 0, 0, 0
        if cls ~= 'v' and room ~= '' then
          local meta, stream = p .. 'meta:' .. room, p .. 'stream:' .. room
          if redis.call('HSETNX', meta, 'epoch', ARGV[8]) == 1 then redis.call('DEL', stream) end
          epoch = tonumber(redis.call('HGET', meta, 'epoch'))
          if cls == 'r' then
            offset = redis.call('HINCRBY', meta, 'offset', 1)
          else
            offset = tonumber(redis.call('HGET', meta, 'offset') or '0')
          end
          seq = redis.call('HINCRBY', meta, 'seq', 1)
          local o = 0
          if cls == 'r' then o = offset end
          redis.call('XADD', stream, '*', 'o', o, 'p', offset, 's', seq, 'k', key, 't', now, 'x', excluded, 'f', frame)
          local trimmed = redis.call('XTRIM', stream, 'MAXLEN', ARGV[9]) + redis.call('XTRIM', stream, 'MINID', now - tonumber(ARGV[10]))
          if trimmed > 0 then redis.call('HSET', meta, 'trimmed', '1') end
          redis.call('PEXPIRE', meta, ARGV[10])
          redis.call('PEXPIRE', stream, ARGV[10])
        end
        local envelope = table.concat({kind, target, room, excluded, cls, epoch, offset, seq, ARGV[11], now, #key}, '\\t') .. '\\n' .. key .. frame
        local count = 0
        for _, other in ipairs(nodes) do
          if other ~= node then
            redis.call('PUBLISH', p .. 'to:' .. other, envelope)
            count = count + 1
          end
        end
        return {epoch, offset, seq, now, count, room}
        """

    /// Registers this node as holding a room and returns the room's shared history. ARGV:
    /// prefix, node, room, epoch for a new history, lease in ms, max age in ms. Returns
    /// `{epoch, offset, sequence, trimmed, entries}` (entries as `XRANGE` gives them).
    static let load = """
        local p, node, room = ARGV[1], ARGV[2], ARGV[3]
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', p .. 'room:' .. room, now + tonumber(ARGV[5]), node)
        redis.call('PEXPIRE', p .. 'room:' .. room, ARGV[5])
        local meta, stream = p .. 'meta:' .. room, p .. 'stream:' .. room
        if redis.call('HSETNX', meta, 'epoch', ARGV[4]) == 1 then redis.call('DEL', stream) end
        redis.call('PEXPIRE', meta, ARGV[6])
        redis.call('PEXPIRE', stream, ARGV[6])
        local m = redis.call('HMGET', meta, 'epoch', 'offset', 'seq', 'trimmed')
        return {m[1], m[2] or '0', m[3] or '0', m[4] or '0', redis.call('XRANGE', stream, '-', '+')}
        """

    /// Refreshes this node's lease, rooms and connections, and forgets dead nodes. ARGV:
    /// prefix, node, lease in ms, max age in ms, the number of rooms, the rooms, then pairs of
    /// connection id and client room. Returns the live nodes.
    static let heartbeat = """
        local p, node, lease, age = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('SET', p .. 'node:' .. node, now, 'PX', lease)
        redis.call('ZADD', p .. 'nodes', now + lease, node)
        redis.call('PEXPIRE', p .. 'nodes', lease)
        redis.call('ZREMRANGEBYSCORE', p .. 'nodes', '-inf', now)
        local rooms = tonumber(ARGV[5])
        for i = 6, 5 + rooms do
          local room = ARGV[i]
          redis.call('ZADD', p .. 'room:' .. room, now + lease, node)
          redis.call('PEXPIRE', p .. 'room:' .. room, lease)
          redis.call('PEXPIRE', p .. 'meta:' .. room, age)
          redis.call('PEXPIRE', p .. 'stream:' .. room, age)
        end
        for i = 6 + rooms, #ARGV, 2 do
          redis.call('SET', p .. 'conn:' .. ARGV[i], node .. ' ' .. ARGV[i + 1], 'PX', lease)
        end
        return redis.call('ZRANGE', p .. 'nodes', 0, -1)
        """
}
