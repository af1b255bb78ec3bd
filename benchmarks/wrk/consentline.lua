-- wrk script for ConsentLine's HTTP figures (used by `python -m benchmarks.run`).
--
--   wrk -t2 -c32 -d5s --timeout 30s -s benchmarks/wrk/consentline.lua http://127.0.0.1:8000 \
--       -- <mode> [name=value ...]
--
-- Modes:
--   healthz                  GET /healthz, the same server's floor
--   outbound line=+1... [run=N] [reuse=N]
--                            POST /api/v1/messages/outbound with the API key of
--                            CONSENTLINE_BENCH_KEY. Each request texts a contact never seen
--                            before (a new conversation), numbered by run, thread and a
--                            per-thread counter; with reuse=N it cycles through the N
--                            contacts the benchmark seeded (+1555031NNNN, opted in).
--   twilio line=+1... sid=AC... url=https://... [run=N]
--                            Twilio's inbound SMS webhook (POST /webhooks/twilio), form
--                            encoded, signed like Twilio with the auth token of
--                            CONSENTLINE_BENCH_TWILIO_TOKEN for the signed url given; each
--                            request comes from a new contact.
--
-- At the end it prints one line `CONSENTLINE_WRK {json}`: requests, per second, answers by
-- HTTP status, socket errors and latency percentiles in milliseconds.

local ffi = require("ffi")

local threads = {}
local counter = 0
local options = {}
-- Globals, which wrk copies between the main state and each thread's: setup() gives each
-- thread its number, done() collects each thread's answers by status.
thread_id = 0
statuses = {}
samples = {} -- the first body of each status other than 200 and 201, to say why

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local function parse(args)
  local parsed = { mode = args[1] or "healthz" }
  for i = 2, #args do
    local name, value = string.match(args[i], "^([%w_]+)=(.*)$")
    if not name then
      error("expected name=value, got " .. args[i])
    end
    parsed[name] = value
  end
  return parsed
end

-- Twilio signs with HMAC-SHA1 (base64); wrk links OpenSSL's libcrypto, so call it directly.
ffi.cdef([[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha1(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const unsigned char *d, size_t n, unsigned char *md, unsigned int *md_len);
int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
]])
local crypto
local function libcrypto()
  if crypto == nil then
    local found = pcall(function() return ffi.C.HMAC end)
    crypto = found and ffi.C or ffi.load("crypto")
  end
  return crypto
end

local digest = ffi.new("unsigned char[20]")
local digest_length = ffi.new("unsigned int[1]")
local encoded = ffi.new("unsigned char[32]")

local function hmac_sha1_base64(key, text)
  local lib = libcrypto()
  lib.HMAC(lib.EVP_sha1(), key, #key, text, #text, digest, digest_length)
  local n = lib.EVP_EncodeBlock(encoded, digest, digest_length[0])
  return ffi.string(encoded, n)
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(char)
    return string.format("%%%02X", string.byte(char))
  end))
end

-- A contact no request has used: the run (600-999 as area code), the thread, the counter.
local function new_contact()
  return string.format("+1%03d%02d%05d", 600 + (tonumber(options.run or "0") % 400),
    thread_id % 100, counter % 100000)
end

local function seeded_contact(reuse)
  return string.format("+1555031%04d", (counter + thread_id * 997) % reuse)
end

local builders = {}

function builders.healthz()
  return wrk.format("GET", "/healthz")
end

function builders.outbound()
  local reuse = tonumber(options.reuse or "0")
  local to = reuse > 0 and seeded_contact(reuse) or new_contact()
  local body = string.format('{"line":"%s","to":"%s","body":"Benchmark message %d-%d"}',
    options.line, to, thread_id, counter)
  return wrk.format("POST", "/api/v1/messages/outbound", options.headers, body)
end

function builders.twilio()
  local sid = string.format("SM%08x%08x%016x", tonumber(options.run or "0"), thread_id, counter)
  local params = {
    { "AccountSid", options.sid }, { "ApiVersion", "2010-04-01" },
    { "Body", "Hello, is this the bank?" }, { "From", new_contact() }, { "FromCountry", "US" },
    { "MessageSid", sid }, { "NumMedia", "0" }, { "NumSegments", "1" },
    { "SmsMessageSid", sid }, { "SmsSid", sid }, { "SmsStatus", "received" },
    { "To", options.line }, { "ToCountry", "US" },
  }
  -- Twilio's signature: the URL, then each parameter's name and value in name order.
  local signed, form = { options.url }, {}
  for _, pair in ipairs(params) do
    table.insert(signed, pair[1] .. pair[2])
    table.insert(form, pair[1] .. "=" .. urlencode(pair[2]))
  end
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = hmac_sha1_base64(options.token, table.concat(signed)),
  }
  return wrk.format("POST", "/webhooks/twilio", headers, table.concat(form, "&"))
end

function init(args)
  options = parse(args)
  if not builders[options.mode] then
    error("unknown mode " .. tostring(options.mode))
  end
  options.headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. (os.getenv("CONSENTLINE_BENCH_KEY") or ""),
  }
  options.token = os.getenv("CONSENTLINE_BENCH_TWILIO_TOKEN") or ""
end

function request()
  counter = counter + 1
  return builders[options.mode]()
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status > 201 and samples[status] == nil then
    samples[status] = string.sub(body or "", 1, 300)
  end
end

local function json(value)
  if type(value) == "string" then
    return '"' .. string.gsub(value, '[%c"\\]', function(char)
      return string.format("\\u%04x", string.byte(char))
    end) .. '"'
  end
  if type(value) == "table" then
    local parts = {}
    for name, item in pairs(value) do
      table.insert(parts, string.format('"%s":%s', tostring(name), json(item)))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  if value == math.floor(value) then
    return string.format("%d", value)
  end
  return string.format("%.3f", value)
end

function done(summary, latency, requests)
  local answers, bodies = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      answers[status] = (answers[status] or 0) + n
    end
    for status, body in pairs(thread:get("samples")) do
      bodies[status] = body
    end
  end
  local seconds = summary.duration / 1e6
  io.write("CONSENTLINE_WRK ", json({
    requests = summary.requests,
    seconds = seconds,
    per_second = summary.requests / seconds,
    statuses = answers,
    samples = bodies,
    socket_errors = summary.errors,
    latency_ms = {
      p50 = latency:percentile(50) / 1000,
      p90 = latency:percentile(90) / 1000,
      p99 = latency:percentile(99) / 1000,
      max = latency.max / 1000,
      mean = latency.mean / 1000,
    },
  }), "\n")
end
