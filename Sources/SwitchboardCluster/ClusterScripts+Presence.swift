/// The presence scripts. Per stream, zset `presence:<stream>` holds the nodes with sessions on
/// it, scored by lease end, and hash `presence:<stream>@<node>` each node's count of each
/// user's connections; a user's count is the sum over the nodes whose score has not passed.
/// The hashes outlive the lease (three leases), so the node that prunes a dead one can still
/// read whose departures to announce.
extension ClusterScripts {
    /// Records one change of this node's presence and tallies it. ARGV: prefix, node, stream,
    /// lease in ms, mode (`w` record, `r` only read), user (empty for none), this node's count
    /// of the user, `1` to return the users. Returns `{user's total, {user, count, …}}`.
    static let presence = """
        local p, node, stream, lease = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
        local user, count = ARGV[6], tonumber(ARGV[7])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local set = p .. 'presence:' .. stream
        if ARGV[5] == 'w' then
          local mine = set .. '@' .. node
          redis.call('ZADD', set, now + lease, node)
          redis.call('PEXPIRE', set, 3 * lease)
          if user ~= '' then
            if count > 0 then redis.call('HSET', mine, user, count) else redis.call('HDEL', mine, user) end
          end
          redis.call('PEXPIRE', mine, 3 * lease)
        end
        local nodes = redis.call('ZRANGEBYSCORE', set, now, '+inf')
        local total = 0
        if user ~= '' then
          for _, n in ipairs(nodes) do total = total + tonumber(redis.call('HGET', set .. '@' .. n, user) or '0') end
        end
        local users = {}
        if ARGV[8] == '1' then
          local sums, names = {}, {}
          for _, n in ipairs(nodes) do
            local kv = redis.call('HGETALL', set .. '@' .. n)
            for i = 1, #kv, 2 do
              if not sums[kv[i]] then
                table.insert(names, kv[i])
                sums[kv[i]] = 0
              end
              sums[kv[i]] = sums[kv[i]] + tonumber(kv[i + 1])
            end
          end
          for _, name in ipairs(names) do
            table.insert(users, name)
            table.insert(users, sums[name])
          end
        end
        return {total, users}
        """

    /// Rewrites this node's presence on the streams it has sessions on, refreshes its lease
    /// there, and prunes the nodes whose lease passed. ARGV: prefix, node, lease in ms, then per
    /// stream: the stream, the number of users, and that many pairs of user and count. Returns
    /// the pruned nodes' users as `{stream, user, user's total on the live nodes, …}`.
    static let presenceBeat = """
        local p, node, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local departed = {}
        local i = 4
        while i <= #ARGV do
          local stream, count = ARGV[i], tonumber(ARGV[i + 1])
          local set = p .. 'presence:' .. stream
          local mine = set .. '@' .. node
          redis.call('DEL', mine)
          for j = i + 2, i + 2 * count, 2 do redis.call('HSET', mine, ARGV[j], ARGV[j + 1]) end
          redis.call('PEXPIRE', mine, 3 * lease)
          redis.call('ZADD', set, now + lease, node)
          redis.call('PEXPIRE', set, 3 * lease)
          i = i + 2 + 2 * count
          local dead = redis.call('ZRANGEBYSCORE', set, '-inf', '(' .. now)
          if #dead > 0 then
            local live = redis.call('ZRANGEBYSCORE', set, now, '+inf')
            for _, d in ipairs(dead) do
              local kv = redis.call('HGETALL', set .. '@' .. d)
              redis.call('DEL', set .. '@' .. d)
              redis.call('ZREM', set, d)
              for k = 1, #kv, 2 do
                local total = 0
                for _, n in ipairs(live) do total = total + tonumber(redis.call('HGET', set .. '@' .. n, kv[k]) or '0') end
                table.insert(departed, stream)
                table.insert(departed, kv[k])
                table.insert(departed, total)
              end
            end
          end
        end
        return departed
        """
}
