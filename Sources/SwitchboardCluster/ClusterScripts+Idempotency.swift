/// The idempotency-key script. Key `idem:<scope length>:<scope>:<key>` holds `r\t<method and
/// path>` while the first attempt runs, then `d\t<method and path>\n<status>\n<body>`, expiring
/// after the lifetime; zset `idem-order:<scope length>:<scope>` holds a scope's keys by
/// creation time, to forget the oldest finished ones beyond the bound.
extension ClusterScripts {
    /// ARGV: prefix, mode, scope, key, then per mode: `b` (begin) the running value, lifetime in
    /// ms, max keys: returns 1 when the key was claimed, else its value; `g` (get): the value or
    /// nil; `d` (done) the finished value, kept with the key's time to live; `f` (forget).
    static let idempotency = """
        local p, mode, scope, key = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local base = p .. 'idem:' .. #scope .. ':' .. scope .. ':'
        local order = p .. 'idem-order:' .. #scope .. ':' .. scope
        if mode == 'g' then return redis.call('GET', base .. key) end
        if mode == 'd' then return redis.call('SET', base .. key, ARGV[5], 'XX', 'KEEPTTL') end
        if mode == 'f' then
          redis.call('ZREM', order, key)
          return redis.call('DEL', base .. key)
        end
        local life, max = tonumber(ARGV[6]), tonumber(ARGV[7])
        if not redis.call('SET', base .. key, ARGV[5], 'NX', 'PX', life) then return redis.call('GET', base .. key) end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', order, '-inf', now - life)
        redis.call('ZADD', order, now, key)
        redis.call('PEXPIRE', order, life)
        local extra = redis.call('ZCARD', order) - max
        if extra > 0 then
          for _, old in ipairs(redis.call('ZRANGE', order, 0, -1)) do
            if extra <= 0 then break end
            local value = redis.call('GET', base .. old)
            if old ~= key and (not value or string.sub(value, 1, 1) == 'd') then
              redis.call('DEL', base .. old)
              redis.call('ZREM', order, old)
              extra = extra - 1
            end
          end
        end
        return 1
        """
}
