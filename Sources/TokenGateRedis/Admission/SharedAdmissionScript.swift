extension RedisFunctionLibrary {
    /// The shared admission: every decision for an organisation's pools is one atomic call of one
    /// of these functions, timed by Redis's own clock (`TIME`, microseconds).
    ///
    /// Keys (KEYS[1] is the organisation's prefix `{tg:ORG}`; one hash tag, so one slot):
    /// - `P:cfg` hash: window_us, margin_us, threshold, lim_tokens/input/output/requests, paused,
    ///   cooldown_us (until when nothing is granted).
    /// - `P:slide` sorted set: ticket id by the instant it slides out (grant + window + margin).
    /// - `P:amt` hash: ticket id -> `state|host|grant_us|tokens|input|output|requests`, state `r`
    ///   (reserved) or `u` (reported: the real usage; or charged at its estimate when its host
    ///   left or went silent, then marked with a last field `c`: the host's report, should it come
    ///   back, replaces the estimate once).
    /// - `P:load` hash: the totals of `P:amt` (`r_tokens`, `u_tokens`, ...; `HOST|r`, `HOST|u`).
    /// - `P:ext` hash: spending a provider reported that the window cannot see, per budget: `KIND|f`
///   (the firm lower bound) and `KIND|r` (the upper bound of the last send margin's reading), each
///   `amount|observed_us|fades_us`, fading linearly to nothing at the provider's reset.
/// - `P:queue` sorted set: waiter id by global arrival number (`seq`); `P:w` hash: waiter id ->
    ///   `host|tokens|input|output|requests`. The order is arrival only (no priorities yet).
    /// - `pools` set, `hosts` hash (host -> last heartbeat, µs), `hoststat` hash (host -> workers).
    /// - `epoch` (when this life of Redis first held the organisation, µs) and `learn_until`
    ///   (nothing is granted before it while the hosts re-seed the window after a restart).
    /// - `grants:HOST` stream: grants of that host's waiters made by any call (fields pool, id, at).
    ///
    /// Ids are chosen by the hosts (`HOST/NUMBER`), so a retried call finds what the first did:
    /// an acquire already granted or queued is answered as it stands, a second report of a ticket
    /// changes nothing. Every call that may free room admits the queue's head as far as it fits
    /// and returns `wake_us`: the instant the head becomes admissible if nothing else changes (0:
    /// no waiter, or paused), so that each host keeps one timer per pool.
    public static let sharedAdmission = RedisFunctionLibrary(name: "tokengate", source: sharedAdmissionSource)
}

let sharedAdmissionSource = #"""
#!lua name=tokengate
local KINDS = {'tokens', 'input', 'output', 'requests'}
local STREAM_MAXLEN = '10000'

local function split(text)
  local parts = {}
  for part in string.gmatch(text, '([^|]*)|?') do parts[#parts + 1] = part end
  return parts
end

-- integers as text without exponent (Lua numbers are doubles: microseconds since 1970 fit in 2^53)
local function int(n) return string.format('%.0f', n) end

local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function key(prefix, pool, name) return prefix .. ':' .. pool .. ':' .. name end

-- A hash's fields as a table of strings.
local function fields_of(name)
  local raw = redis.call('HGETALL', name)
  local fields = {}
  for i = 1, #raw, 2 do fields[raw[i]] = raw[i + 1] end
  return fields
end

local function config(prefix, pool) return fields_of(key(prefix, pool, 'cfg')) end

-- floor(threshold x limit), tolerant of binary fractions (as the local gate computes it)
local function capacity(cfg, kind)
  local limit = tonumber(cfg['lim_' .. kind] or '')
  if limit == nil then return nil end
  local exact = (tonumber(cfg.threshold or '1') or 1) * limit
  local nearest = math.floor(exact + 0.5)
  if math.abs(exact - nearest) <= 1e-9 * math.max(1, exact) then return nearest end
  return math.floor(exact)
end

local function loads(prefix, pool)
  local raw = redis.call('HGETALL', key(prefix, pool, 'load'))
  local load = {}
  for i = 1, #raw, 2 do load[raw[i]] = tonumber(raw[i + 1]) end
  return load
end

local function add_load(prefix, pool, state, host, amounts, sign)
  local k = key(prefix, pool, 'load')
  for i, kind in ipairs(KINDS) do
    if amounts[i] ~= 0 then redis.call('HINCRBY', k, state .. '_' .. kind, sign * amounts[i]) end
  end
  if amounts[1] ~= 0 then redis.call('HINCRBY', k, host .. '|' .. state, sign * amounts[1]) end
end

local function amounts_from(parts, first)
  local amounts = {}
  for i = 1, 4 do amounts[i] = tonumber(parts[first + i - 1]) or 0 end
  return amounts
end

-- A fading figure `amount|observed_us|fades_us` at `now`: linear to nothing at its fade, rounded up.
local function fade_amount(text, now)
  if not text then return 0 end
  local p = split(text)
  local amount, at, fades = tonumber(p[1]) or 0, tonumber(p[2]) or 0, tonumber(p[3]) or 0
  if amount <= 0 or now >= fades then return 0 end
  if now <= at then return amount end
  return math.ceil(amount * (fades - now) / math.max(1, fades - at))
end

-- The earliest instant a fading figure is at most `allowed` (nil: it never is more).
local function fade_instant(text, allowed)
  if not text then return nil end
  local p = split(text)
  local amount, at, fades = tonumber(p[1]) or 0, tonumber(p[2]) or 0, tonumber(p[3]) or 0
  if amount <= allowed then return nil end
  if allowed <= 0 then return fades end
  return at + math.ceil((fades - at) * (1 - allowed / amount))
end

local function externals(prefix, pool) return fields_of(key(prefix, pool, 'ext')) end

-- What the window cannot see of budget `kind` at `now`: the larger of the firm and recent figures.
local function unseen(ext, kind, now)
  return math.max(fade_amount(ext[kind .. '|f'], now), fade_amount(ext[kind .. '|r'], now))
end

-- Lets go of the entries whose place slid out of the window by now.
local function expire(prefix, pool, now)
  local slide = key(prefix, pool, 'slide')
  local gone = redis.call('ZRANGEBYSCORE', slide, '-inf', now)
  if #gone == 0 then return end
  local amt = key(prefix, pool, 'amt')
  for _, id in ipairs(gone) do
    local entry = redis.call('HGET', amt, id)
    if entry then
      local p = split(entry)
      add_load(prefix, pool, p[1], p[2], amounts_from(p, 4), -1)
      redis.call('HDEL', amt, id)
    end
  end
  redis.call('ZREMRANGEBYSCORE', slide, '-inf', now)
end

-- Until when nothing is granted while the hosts re-seed the window after Redis restarted empty.
local function learning_until(prefix)
  return tonumber(redis.call('GET', prefix .. ':learn_until') or '0') or 0
end

local function is_open(prefix, cfg, now)
  if cfg.paused == '1' then return false end
  if learning_until(prefix) > now then return false end
  return (tonumber(cfg.cooldown_us or '0') or 0) <= now
end

-- The reserving rule: every limited budget keeps load + unseen spending + demand within its
-- capacity; a demand larger than the capacity alone passes only into an empty window.
local function fits(cfg, load, ext, demand, now)
  for i, kind in ipairs(KINDS) do
    local cap = capacity(cfg, kind)
    if cap ~= nil then
      local l = (load['u_' .. kind] or 0) + (load['r_' .. kind] or 0) + unseen(ext, kind, now)
      if demand[i] > cap then
        if l > 0 then return false end
      elseif l + demand[i] > cap then
        return false
      end
    end
  end
  return true
end

local function place(prefix, pool, cfg, id, host, demand, now)
  local window = tonumber(cfg.window_us) + tonumber(cfg.margin_us or '0')
  redis.call('HSET', key(prefix, pool, 'amt'), id,
    table.concat({'r', host, int(now), int(demand[1]), int(demand[2]), int(demand[3]), int(demand[4])}, '|'))
  redis.call('ZADD', key(prefix, pool, 'slide'), now + window, id)
  add_load(prefix, pool, 'r', host, demand, 1)
end

-- The instant the head's demand fits if nothing more is placed: the window's entries leave in
-- slide order, and between two departures the unseen spending fades, so each step between them
-- is tried in turn for the first instant within it at which every budget fits.
local function head_wake(prefix, pool, cfg, load, ext, demand, now)
  local entries = redis.call('ZRANGE', key(prefix, pool, 'slide'), 0, -1, 'WITHSCORES')
  local amt = key(prefix, pool, 'amt')
  local remaining = {}
  for i, kind in ipairs(KINDS) do remaining[i] = (load['u_' .. kind] or 0) + (load['r_' .. kind] or 0) end
  -- the first instant from `from` at which the demand fits with `remaining` placed (nil: never)
  local function fits_from(from)
    local at = from
    for i, kind in ipairs(KINDS) do
      local cap = capacity(cfg, kind)
      if cap ~= nil then
        local allowed = demand[i] > cap and 0 or cap - demand[i]
        if remaining[i] > allowed then return nil end
        local room = allowed - remaining[i]
        for _, part in ipairs({'|f', '|r'}) do
          local instant = fade_instant(ext[kind .. part], room)
          if instant ~= nil and instant > at then at = instant end
        end
      end
    end
    return at
  end
  local from = now
  for j = 1, #entries, 2 do
    local leaves = tonumber(entries[j + 1])
    local at = fits_from(from)
    if at ~= nil and at < leaves then return at end
    local entry = redis.call('HGET', amt, entries[j])
    if entry then
      local a = amounts_from(split(entry), 4)
      for i = 1, 4 do remaining[i] = remaining[i] - a[i] end
    end
    if leaves > from then from = leaves end
  end
  return fits_from(from) or from
end

-- Grants the queue's head, then the next, in arrival order, while they fit; each grant goes to
-- its host's stream. Returns the wake instant (0 when nothing waits or the pool is paused).
local function admit(prefix, pool, now)
  local cfg = config(prefix, pool)
  if cfg.window_us == nil then return 0 end
  expire(prefix, pool, now)
  local queue = key(prefix, pool, 'queue')
  local waiters = key(prefix, pool, 'w')
  while true do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if head == nil then return 0 end
    local entry = redis.call('HGET', waiters, head)
    if not entry then
      redis.call('ZREM', queue, head)
    else
      local w = split(entry)
      local demand = amounts_from(w, 2)
      if cfg.paused == '1' then return 0 end
      local cooldown = math.max(tonumber(cfg.cooldown_us or '0') or 0, learning_until(prefix))
      if cooldown > now then return cooldown end
      local load = loads(prefix, pool)
      local ext = externals(prefix, pool)
      if not fits(cfg, load, ext, demand, now) then return head_wake(prefix, pool, cfg, load, ext, demand, now) end
      redis.call('ZREM', queue, head)
      redis.call('HDEL', waiters, head)
      redis.call('HINCRBY', key(prefix, pool, 'load'), w[1] .. '|w', -1)
      place(prefix, pool, cfg, head, w[1], demand, now)
      redis.call('XADD', prefix .. ':grants:' .. w[1], 'MAXLEN', '~', STREAM_MAXLEN, '*',
        'pool', pool, 'id', head, 'at', int(now))
    end
  end
end

local function remove_waiter(prefix, pool, id)
  local waiters = key(prefix, pool, 'w')
  local entry = redis.call('HGET', waiters, id)
  if not entry then return false end
  redis.call('HDEL', waiters, id)
  redis.call('ZREM', key(prefix, pool, 'queue'), id)
  redis.call('HINCRBY', key(prefix, pool, 'load'), split(entry)[1] .. '|w', -1)
  return true
end

-- A host's reservations are charged: counted as used at their estimate until they slide out (no
-- release or report of theirs may come), marked `c`: a later release of one changes nothing, a
-- later report (the host was only cut off) replaces the estimate by the real usage, once.
local function charge_host(prefix, pool, host)
  local amt = key(prefix, pool, 'amt')
  local raw = redis.call('HGETALL', amt)
  for i = 1, #raw, 2 do
    local p = split(raw[i + 1])
    if p[1] == 'r' and p[2] == host then
      local amounts = amounts_from(p, 4)
      add_load(prefix, pool, 'r', host, amounts, -1)
      add_load(prefix, pool, 'u', host, amounts, 1)
      redis.call('HSET', amt, raw[i], table.concat({'u', p[2], p[3], p[4], p[5], p[6], p[7], 'c'}, '|'))
    end
  end
end

-- A host's waiters leave every pool's queue; its reservations are charged and stay until they
-- slide out.
local function drop_host(prefix, host, now)
  for _, pool in ipairs(redis.call('SMEMBERS', prefix .. ':pools')) do
    local waiters = key(prefix, pool, 'w')
    local raw = redis.call('HGETALL', waiters)
    for i = 1, #raw, 2 do
      if split(raw[i + 1])[1] == host then remove_waiter(prefix, pool, raw[i]) end
    end
    charge_host(prefix, pool, host)
    admit(prefix, pool, now)
  end
  redis.call('HDEL', prefix .. ':hosts', host)
  redis.call('HDEL', prefix .. ':hoststat', host)
  redis.call('DEL', prefix .. ':grants:' .. host)
end

-- The organisation's epoch: the instant (µs) its keys were first written in this life of Redis. A
-- host that knew another epoch (`known`) finds Redis restarted empty: nothing is granted for
-- `learning_us` from the new epoch's start while the hosts re-seed the window (tg_seed). A host
-- that knew none (it just started) starts no learning period.
local function epoch(prefix, known, learning_us, now)
  local current = redis.call('GET', prefix .. ':epoch')
  if not current then
    current = int(now)
    redis.call('SET', prefix .. ':epoch', current)
  end
  if known ~= '' and known ~= current and learning_us > 0 then
    local ends = tonumber(current) + learning_us
    if ends > now and ends > learning_until(prefix) then redis.call('SET', prefix .. ':learn_until', int(ends)) end
  end
  return current
end

-- configure(pool, window_ms, margin_ms, threshold, lim_tokens, lim_input, lim_output, lim_requests
-- [, known_epoch, learning_ms]): the first host's values stand (later hosts join the shared ones);
-- "" is no limit. -> the shared settings, paused, the epoch and until when the hosts re-seed.
local function configure(keys, args)
  local prefix, pool = keys[1], args[1]
  local now = now_us()
  local current = epoch(prefix, args[9] or '', (tonumber(args[10] or '0') or 0) * 1000, now)
  local cfg = key(prefix, pool, 'cfg')
  redis.call('SADD', prefix .. ':pools', pool)
  redis.call('HSETNX', cfg, 'window_us', int((tonumber(args[2]) or 0) * 1000))
  redis.call('HSETNX', cfg, 'margin_us', int((tonumber(args[3]) or 0) * 1000))
  redis.call('HSETNX', cfg, 'threshold', args[4])
  if redis.call('HSETNX', cfg, 'seeded', '1') == 1 then
    for i, kind in ipairs(KINDS) do
      if args[4 + i] ~= '' then redis.call('HSET', cfg, 'lim_' .. kind, args[4 + i]) end
    end
  end
  local c = config(prefix, pool)
  return {c.window_us, c.margin_us, c.threshold, c.lim_tokens or '', c.lim_input or '', c.lim_output or '',
    c.lim_requests or '', c.paused or '0', current, int(learning_until(prefix))}
end

-- seed(pool, host, then per entry: id, state, age_us, tokens, input, output, requests): a host puts
-- back what it holds in the window after Redis restarted empty: its open tickets (state `r`) and
-- its usage (`u`), each granted `age_us` ago by its own clock; an id Redis knows is left as it is,
-- one that slid out is skipped. -> {'seeded', wake_us, now_us}
local function seed(keys, args)
  local prefix, pool, host = keys[1], args[1], args[2]
  local now = now_us()
  local cfg = config(prefix, pool)
  if cfg.window_us == nil then return redis.error_reply('ERR tokengate: pool ' .. pool .. ' is not configured') end
  expire(prefix, pool, now)
  local window = tonumber(cfg.window_us) + tonumber(cfg.margin_us or '0')
  local amt = key(prefix, pool, 'amt')
  for i = 3, #args - 6, 7 do
    local id, state = args[i], args[i + 1] == 'u' and 'u' or 'r'
    local granted = now - math.max(0, tonumber(args[i + 2]) or 0)
    if redis.call('HEXISTS', amt, id) == 0 and granted + window > now then
      local amounts = amounts_from(args, i + 3)
      redis.call('HSET', amt, id, table.concat({state, host, int(granted), int(amounts[1]), int(amounts[2]),
        int(amounts[3]), int(amounts[4])}, '|'))
      redis.call('ZADD', key(prefix, pool, 'slide'), granted + window, id)
      add_load(prefix, pool, state, host, amounts, 1)
    end
  end
  return {'seeded', int(admit(prefix, pool, now)), int(now)}
end

-- acquire(pool, host, id, tokens, input, output, requests) ->
-- {'granted', grant_us, now_us} or {'waiting', wake_us, now_us}
local function acquire(keys, args)
  local prefix, pool, host, id = keys[1], args[1], args[2], args[3]
  local granted = redis.call('HGET', key(prefix, pool, 'amt'), id)
  if granted then return {'granted', split(granted)[3], int(now_us())} end
  local now = now_us()
  local cfg = config(prefix, pool)
  if cfg.window_us == nil then return redis.error_reply('ERR tokengate: pool ' .. pool .. ' is not configured') end
  if redis.call('HEXISTS', key(prefix, pool, 'w'), id) == 1 then
    return {'waiting', int(admit(prefix, pool, now)), int(now)}
  end
  local wake = admit(prefix, pool, now)
  local demand = amounts_from(args, 4)
  local queue = key(prefix, pool, 'queue')
  if redis.call('ZCARD', queue) == 0 and is_open(prefix, cfg, now) and fits(cfg, loads(prefix, pool), externals(prefix, pool), demand, now) then
    place(prefix, pool, cfg, id, host, demand, now)
    return {'granted', int(now), int(now)}
  end
  local seq = redis.call('INCR', prefix .. ':seq')
  redis.call('ZADD', queue, seq, id)
  redis.call('HSET', key(prefix, pool, 'w'), id, table.concat({host, int(demand[1]), int(demand[2]), int(demand[3]), int(demand[4])}, '|'))
  redis.call('HINCRBY', key(prefix, pool, 'load'), host .. '|w', 1)
  wake = admit(prefix, pool, now)
  return {'waiting', int(wake), int(now)}
end

-- Whether entry `p` (split) still waits for its report: a reservation, or one charged at its
-- estimate when its host was dropped (the report of a host that comes back replaces it).
local function awaits_report(p) return p[1] == 'r' or p[8] == 'c' end

-- A reservation's (or a charged estimate's) entry `p` (split) becomes the usage `actual` at the
-- same place, on the same host.
local function settle_entry(prefix, pool, amt, id, p, actual)
  add_load(prefix, pool, p[1], p[2], amounts_from(p, 4), -1)
  add_load(prefix, pool, 'u', p[2], actual, 1)
  redis.call('HSET', amt, id, table.concat({'u', p[2], p[3], int(actual[1]), int(actual[2]), int(actual[3]), int(actual[4])}, '|'))
end

-- report(pool, id, tokens, input, output, requests): the reservation is replaced by the real usage,
-- once -> {'settled' | 'already' | 'unknown', wake_us, now_us}
local function report(keys, args)
  local prefix, pool, id = keys[1], args[1], args[2]
  local now = now_us()
  local amt = key(prefix, pool, 'amt')
  local entry = redis.call('HGET', amt, id)
  local outcome = 'unknown'
  if entry then
    local p = split(entry)
    if not awaits_report(p) then
      outcome = 'already'
    else
      settle_entry(prefix, pool, amt, id, p, amounts_from(args, 3))
      outcome = 'settled'
    end
  end
  return {outcome, int(admit(prefix, pool, now)), int(now)}
end

-- charge(pool, host, id, tokens, input, output, requests): a report that counts whether or not
-- Redis still knows the ticket: a reservation is settled as report does; an unknown id (a ticket
-- whose entry Redis lost, or usage without a ticket) counts the usage from now under that id; a
-- second delivery changes nothing -> {'settled' | 'charged' | 'already', wake_us, now_us}
local function charge(keys, args)
  local prefix, pool, host, id = keys[1], args[1], args[2], args[3]
  local now = now_us()
  local cfg = config(prefix, pool)
  if cfg.window_us == nil then return redis.error_reply('ERR tokengate: pool ' .. pool .. ' is not configured') end
  expire(prefix, pool, now)
  local amt = key(prefix, pool, 'amt')
  local entry = redis.call('HGET', amt, id)
  local actual = amounts_from(args, 4)
  local outcome
  if not entry then
    local window = tonumber(cfg.window_us) + tonumber(cfg.margin_us or '0')
    redis.call('HSET', amt, id,
      table.concat({'u', host, int(now), int(actual[1]), int(actual[2]), int(actual[3]), int(actual[4])}, '|'))
    redis.call('ZADD', key(prefix, pool, 'slide'), now + window, id)
    add_load(prefix, pool, 'u', host, actual, 1)
    outcome = 'charged'
  else
    local p = split(entry)
    if not awaits_report(p) then
      outcome = 'already'
    else
      settle_entry(prefix, pool, amt, id, p, actual)
      outcome = 'settled'
    end
  end
  return {outcome, int(admit(prefix, pool, now)), int(now)}
end

-- Drops reservation `id` -> 'released', 'already' (it was reported or charged) or 'unknown'.
local function drop_reservation(prefix, pool, id)
  local amt = key(prefix, pool, 'amt')
  local entry = redis.call('HGET', amt, id)
  if not entry then return 'unknown' end
  local p = split(entry)
  if p[1] ~= 'r' then return 'already' end
  add_load(prefix, pool, 'r', p[2], amounts_from(p, 4), -1)
  redis.call('HDEL', amt, id)
  redis.call('ZREM', key(prefix, pool, 'slide'), id)
  return 'released'
end

-- release(pool, id): a reservation whose request never reached the provider is dropped, once.
local function release(keys, args)
  local prefix, pool, id = keys[1], args[1], args[2]
  local now = now_us()
  local outcome = drop_reservation(prefix, pool, id)
  return {outcome, int(admit(prefix, pool, now)), int(now)}
end

-- cancel(pool, id): a waiter leaves (timeout, disconnect): out of the queue, or, when Redis
-- granted it meanwhile (the grant still on its way on the stream), its reservation is dropped.
-- -> {'cancelled' | 'released' | 'already' | 'unknown', wake_us, now_us}
local function cancel(keys, args)
  local prefix, pool, id = keys[1], args[1], args[2]
  local now = now_us()
  local outcome = 'cancelled'
  if not remove_waiter(prefix, pool, id) then outcome = drop_reservation(prefix, pool, id) end
  return {outcome, int(admit(prefix, pool, now)), int(now)}
end

-- throttle(pool, retry_after_ms): the provider refused; nothing is granted until the cooldown ends.
local function throttle(keys, args)
  local prefix, pool = keys[1], args[1]
  local now = now_us()
  local until_us = now + math.max(0, tonumber(args[2]) or 0) * 1000
  local cfg = key(prefix, pool, 'cfg')
  if until_us > (tonumber(redis.call('HGET', cfg, 'cooldown_us') or '0') or 0) then
    redis.call('HSET', cfg, 'cooldown_us', int(until_us))
  end
  return {'cooling', int(admit(prefix, pool, now)), int(now)}
end

-- observe(pool, kind, provider_used, reset_in_ms, rounding): a provider's reading of one budget
-- (what it counts as spent, and when it is whole again, from the reading). Compared with the
-- window, the grants of the last send margin left out (they may not have reached the provider
-- yet), the difference is an upper bound of the spending no host can see, and with them in a lower
-- bound. The lower bound is firm: it fades to the reset, and a newer reading never lowers it
-- faster. The upper bound counts until a reading a send margin later, which has those grants in,
-- takes over (as the local gate's UnseenSpending, which keeps up to 16 of them; here a newer one
-- within the margin merges with the older, counting at least as much as both). Differences up to
-- `rounding` count nothing. -> {'observed', wake_us, now_us}
local function observe(keys, args)
  local prefix, pool, kind = keys[1], args[1], args[2]
  local index = 0
  for i, k in ipairs(KINDS) do if k == kind then index = i end end
  if index == 0 then return redis.error_reply('ERR tokengate: unknown budget ' .. kind) end
  local now = now_us()
  local cfg = config(prefix, pool)
  if cfg.window_us == nil then return redis.error_reply('ERR tokengate: pool ' .. pool .. ' is not configured') end
  expire(prefix, pool, now)
  local used = tonumber(args[3]) or 0
  local fades = now + math.max(0, tonumber(args[4]) or 0) * 1000
  local rounding = tonumber(args[5]) or 0
  local margin = tonumber(cfg.margin_us or '0')
  local ext_key = key(prefix, pool, 'ext')
  if fades <= now then
    redis.call('HDEL', ext_key, kind .. '|f', kind .. '|r')
    return {'observed', int(admit(prefix, pool, now)), int(now)}
  end
  local load = loads(prefix, pool)
  local total = (load['u_' .. kind] or 0) + (load['r_' .. kind] or 0)
  -- reservations of the last send margin: those whose place slides out later than now + window
  local recent_ids = redis.call('ZRANGEBYSCORE', key(prefix, pool, 'slide'), '(' .. int(now + tonumber(cfg.window_us)), '+inf')
  local in_margin = 0
  local amt = key(prefix, pool, 'amt')
  for _, id in ipairs(recent_ids) do
    local entry = redis.call('HGET', amt, id)
    if entry then
      local p = split(entry)
      if p[1] == 'r' then in_margin = in_margin + (tonumber(p[3 + index]) or 0) end
    end
  end
  local upper, lower = used - (total - in_margin), used - total
  local ext = externals(prefix, pool)
  local firm = math.max(lower, fade_amount(ext[kind .. '|f'], now))
  if firm > rounding then
    redis.call('HSET', ext_key, kind .. '|f', table.concat({int(firm), int(now), int(fades)}, '|'))
  else
    redis.call('HDEL', ext_key, kind .. '|f')
    firm = 0
  end
  local recent = ext[kind .. '|r']
  if recent then
    local p = split(recent)
    if (tonumber(p[2]) or 0) + margin <= now or (tonumber(p[3]) or 0) <= now then
      redis.call('HDEL', ext_key, kind .. '|r')
      recent = nil
    end
  end
  if upper > rounding and upper > firm then
    local amount, until_us = upper, fades
    if recent then
      amount = math.max(amount, fade_amount(recent, now))
      until_us = math.max(until_us, tonumber(split(recent)[3]) or 0)
    end
    redis.call('HSET', ext_key, kind .. '|r', table.concat({int(amount), int(now), int(until_us)}, '|'))
  end
  return {'observed', int(admit(prefix, pool, now)), int(now)}
end

-- pause(pool, '1' | '0')
local function pause(keys, args)
  local prefix, pool = keys[1], args[1]
  local now = now_us()
  redis.call('HSET', key(prefix, pool, 'cfg'), 'paused', args[2] == '1' and '1' or '0')
  return {args[2] == '1' and 'paused' or 'resumed', int(admit(prefix, pool, now)), int(now)}
end

-- set_limit(pool, kind, value | ''): the shared limit of one budget ('' removes it).
local function set_limit(keys, args)
  local prefix, pool, kind = keys[1], args[1], args[2]
  local now = now_us()
  local valid = false
  for _, k in ipairs(KINDS) do if k == kind then valid = true end end
  if not valid then return redis.error_reply('ERR tokengate: unknown budget ' .. kind) end
  if args[3] == '' then
    redis.call('HDEL', key(prefix, pool, 'cfg'), 'lim_' .. kind)
  else
    redis.call('HSET', key(prefix, pool, 'cfg'), 'lim_' .. kind, args[3])
  end
  return {'set', int(admit(prefix, pool, now)), int(now)}
end

-- tick(pool): the wake instant came; admits what now fits.
local function tick(keys, args)
  local now = now_us()
  return {'ticked', int(admit(keys[1], args[1], now)), int(now)}
end

-- heartbeat(host, workers, timeout_ms): marks the host alive, drops hosts silent for longer than
-- the timeout (waiters removed, reservations charged), admits every pool. ->
-- {now_us, {host, last_seen_ms_ago, workers, used, reserved, waiting}...}; the calling host's
-- last_seen_ms_ago is -1 when this heartbeat (re)added it: its first, or it had been dropped.
local function heartbeat(keys, args)
  local prefix, host = keys[1], args[1]
  local now = now_us()
  local timeout = (tonumber(args[3]) or 2000) * 1000
  local joined = redis.call('HSET', prefix .. ':hosts', host, int(now)) == 1
  redis.call('HSET', prefix .. ':hoststat', host, args[2])
  local seen = redis.call('HGETALL', prefix .. ':hosts')
  for i = 1, #seen, 2 do
    if now - tonumber(seen[i + 1]) > timeout then drop_host(prefix, seen[i], now) end
  end
  local pools = redis.call('SMEMBERS', prefix .. ':pools')
  for _, pool in ipairs(pools) do admit(prefix, pool, now) end
  local hosts = {int(now)}
  seen = redis.call('HGETALL', prefix .. ':hosts')
  for i = 1, #seen, 2 do
    local name = seen[i]
    local used, reserved, waiting = 0, 0, 0
    for _, pool in ipairs(pools) do
      local load = loads(prefix, pool)
      used = used + (load[name .. '|u'] or 0)
      reserved = reserved + (load[name .. '|r'] or 0)
      waiting = waiting + (load[name .. '|w'] or 0)
    end
    local ago = math.floor((now - tonumber(seen[i + 1])) / 1000)
    if name == host and joined then ago = -1 end
    hosts[#hosts + 1] = {name, int(ago),
      redis.call('HGET', prefix .. ':hoststat', name) or '0', int(used), int(reserved), int(waiting)}
  end
  return hosts
end

-- leave(host): a host stopping cleanly (or starting afresh) drops its waiters and its stream.
local function leave(keys, args)
  drop_host(keys[1], args[1], now_us())
  return 'OK'
end

-- pool_status(pool) -> {used_tokens, reserved_tokens, waiting, paused, cooldown_us, now_us, unseen_tokens}
local function pool_status(keys, args)
  local prefix, pool = keys[1], args[1]
  local now = now_us()
  expire(prefix, pool, now)
  local load = loads(prefix, pool)
  local cfg = config(prefix, pool)
  return {int(load.u_tokens or 0), int(load.r_tokens or 0),
    int(redis.call('ZCARD', key(prefix, pool, 'queue'))), cfg.paused or '0', cfg.cooldown_us or '0', int(now),
    int(unseen(externals(prefix, pool), 'tokens', now))}
end

redis.register_function('tg_configure', configure)
redis.register_function('tg_acquire', acquire)
redis.register_function('tg_report', report)
redis.register_function('tg_charge', charge)
redis.register_function('tg_release', release)
redis.register_function('tg_cancel', cancel)
redis.register_function('tg_throttle', throttle)
redis.register_function('tg_observe', observe)
redis.register_function('tg_pause', pause)
redis.register_function('tg_set_limit', set_limit)
redis.register_function('tg_tick', tick)
redis.register_function('tg_seed', seed)
redis.register_function('tg_heartbeat', heartbeat)
redis.register_function('tg_leave', leave)
redis.register_function('tg_pool_status', pool_status)
"""#
