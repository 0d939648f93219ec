-- _picker.lua: the lane picker; mirrors src/schedule/lane_picker.ts exactly (same double
-- arithmetic), so both stores dispatch in the same order.
-- st = { vt, pass[0..4], aged }; heads[i] = lane i's head as { since = when it became due, id }
-- or false when the lane is empty; cfg = { w[0..4], strict, aging (nil = off), stride (optional:
-- a table the strides floor(STRIDE_UNIT / w) are kept in once computed, false before) }. Aging:
-- a head that waited aging ms or longer wins (the oldest, then the lower id in byte order), never
-- twice in a row. Returns the lane index, or -1 when every lane is empty.
local STRIDE_UNIT = 1000000
local PASS_REBASE_AT = 1000000000

-- The lane pick_lane would choose and whether aging chose it, without changing st.
local function choose_lane(st, heads, cfg, now)
  local chosen = -1
  local aged = false
  if cfg.aging ~= nil and not st.aged then
    local oldest = nil
    for i = 0, 4 do
      local head = heads[i]
      if head and now - head.since >= cfg.aging then
        if oldest == nil or head.since < oldest.since
          or (head.since == oldest.since and id_before(head.id, oldest.id)) then
          oldest = head
          chosen = i
        end
      end
    end
    aged = chosen ~= -1
  end
  if chosen == -1 then
    local best, vt, passes = math.huge, st.vt, st.pass
    for i = 0, 4 do
      if heads[i] then
        if cfg.strict then
          chosen = i
          break
        end
        local pass = passes[i] -- max(pass, vt), compared inline: the hot path's C calls add up
        if vt > pass then pass = vt end
        if pass < best then
          best = pass
          chosen = i
        end
      end
    end
    if chosen == -1 then return -1, false end
  end
  return chosen, aged
end

-- Records a dispatch from lane `chosen` (aged: chosen by aging) in st.
local function advance(st, cfg, chosen, aged)
  local effective = st.pass[chosen]
  if st.vt > effective then effective = st.vt end
  if not aged then st.vt = effective end
  local stride = cfg.stride and cfg.stride[chosen]
  if not stride then
    stride = math.floor(STRIDE_UNIT / cfg.w[chosen])
    if cfg.stride then cfg.stride[chosen] = stride end
  end
  st.pass[chosen] = effective + stride
  st.aged = aged
  if st.vt > PASS_REBASE_AT then
    local base = st.vt
    for i = 0, 4 do
      st.pass[i] = math.max(st.pass[i] - base, 0)
    end
    st.vt = 0
  end
end

local function pick_lane(st, heads, cfg, now)
  local chosen, aged = choose_lane(st, heads, cfg, now)
  if chosen >= 0 then advance(st, cfg, chosen, aged) end
  return chosen
end
