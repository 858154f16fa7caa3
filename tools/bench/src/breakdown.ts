/**
 * Where a client's time goes, without the network: every contender runs against a stubbed fetch that answers from
 * memory, so what is left is the client's own work. Three measurements:
 * - time per call of each contender, in alternating rounds;
 * - how many of each costly primitive (Request, Headers, URL, Response, clones, body reads, JSON parses, timers,
 *   AbortControllers) one call creates, counted by swapping in counting subclasses for one pass;
 * - the unit cost of each primitive, so counts turn into an estimate of where the microseconds go.
 * A ladder of generic layers over `@flat-api/raw` (a middleware that does nothing, one that rebuilds the Request
 * with new headers, then a fetch wrapper that rebuilds it again with a timeout signal) shows what each kind of layer
 * costs on its own.
 */
import { createRawClient } from '@flat-api/raw'
import { median, round, roundOrder, type Spread, spread } from './measure.js'
import { BENCH_TOKEN, createPeer, PEER_NAMES, type Peer, type PeerName, type SendFetch } from './peers.js'

export interface BreakdownOptions {
  rounds: number
  calls: number
  primitiveOps: number
}

export const PRIMITIVES = [
  'Request',
  'Headers',
  'URL',
  'Response',
  'AbortController',
  'setTimeout',
  'Response.clone',
  'Response.text',
  'Response.json',
  'Response.arrayBuffer',
  'JSON.parse',
] as const
export type Primitive = (typeof PRIMITIVES)[number]

export const LADDER = [
  'raw + no-op middleware',
  'raw + header middleware',
  'raw + header middleware + signal fetch',
] as const
export type LadderStep = (typeof LADDER)[number]
export type StubContender = PeerName | LadderStep
const STUB_CONTENDERS: readonly StubContender[] = [...PEER_NAMES, ...LADDER]

export interface BreakdownResult {
  /** Microseconds per call against the stubbed fetch. */
  stubUsPerCall: Record<StubContender, Spread>
  /** Primitives created or called per call. */
  counts: Record<StubContender, Record<Primitive, number>>
  /** Microseconds per primitive; `Request` is built from a URL, `Request (copy)` from another Request. */
  unitUs: Record<Primitive | 'Request (copy)', number>
  /** Counts times unit costs, and what is left of the measured time (promises, closures, plumbing). */
  attribution: Record<
    StubContender,
    { items: Partial<Record<Primitive, number>>; attributedUs: number; residualUs: number }
  >
}

const STUB_ORIGIN = 'http://127.0.0.1:9'
const STUB_BASE_URL = `${STUB_ORIGIN}/v2`
const TASK_ID = '0000000a1b2c3d4e00000000'
const BODY = JSON.stringify({
  id: TASK_ID,
  type: 'audio-export',
  state: 'doing',
  creationDate: '2026-01-01T00:00:00.000Z',
  modificationDate: '2026-01-01T00:00:10.000Z',
  progress: { percent: 42 },
  isCancellable: false,
})
const RESET_SEC = String(Math.ceil(Date.now() / 1000) + 3600)

function stubSend(ResponseClass: typeof Response): SendFetch {
  const headers: [string, string][] = [
    ['content-type', 'application/json; charset=utf-8'],
    ['content-length', String(Buffer.byteLength(BODY))],
    ['x-ratelimit-limit', '7200'],
    ['x-ratelimit-remaining', '7000'],
    ['x-ratelimit-reset', RESET_SEC],
  ]
  // Answered on a later turn of the event loop, as a real fetch is: a loop that never yields (a wait polling a stub
  // that answers in a microtask) starves timers and finalizers and measures something no client ever does.
  return () => new Promise((resolve) => setImmediate(() => resolve(new ResponseClass(BODY, { status: 200, headers }))))
}

/** A generic layer over the raw client, built the way SDK layers are, to price each kind of layer alone. */
function createLadderStep(name: LadderStep, send: SendFetch): Peer {
  const withSignal: SendFetch = async (input, init) => {
    const request = input as Request
    const controller = new AbortController()
    const onAbort = (): void => controller.abort(request.signal.reason)
    request.signal.addEventListener('abort', onAbort, { once: true })
    const timer = setTimeout(() => controller.abort(new Error('timeout')), 30_000)
    try {
      return await send(new Request(request, { signal: controller.signal }), init)
    } finally {
      clearTimeout(timer)
      request.signal.removeEventListener('abort', onAbort)
    }
  }
  const client = createRawClient({
    baseUrl: STUB_BASE_URL,
    accessToken: BENCH_TOKEN,
    fetch: name === 'raw + header middleware + signal fetch' ? withSignal : send,
  })
  if (name === 'raw + no-op middleware') client.use({ onRequest: () => undefined })
  else {
    client.use({
      onRequest({ request }) {
        const headers = new Headers(request.headers)
        headers.set('User-Agent', 'bench')
        return new Request(request, { headers })
      },
    })
  }
  return {
    name: 'raw',
    async getTask(id) {
      const { data, error } = await client.GET('/tasks/{task}', { params: { path: { task: id } } })
      if (error !== undefined || !data) throw new Error(`${name}: ${JSON.stringify(error)}`)
      return data
    },
  }
}

function createStubContender(name: StubContender, send: SendFetch): Peer {
  return (LADDER as readonly string[]).includes(name)
    ? createLadderStep(name as LadderStep, send)
    : createPeer(name as PeerName, STUB_BASE_URL, send)
}

async function timeCalls(call: () => Promise<unknown>, calls: number): Promise<number> {
  const startedAt = performance.now()
  for (let i = 0; i < calls; i += 1) await call()
  return ((performance.now() - startedAt) * 1000) / calls
}

type Counts = Record<Primitive, number>

const zeroCounts = (): Counts => Object.fromEntries(PRIMITIVES.map((name) => [name, 0])) as Counts

/**
 * Runs `body` with the globals replaced by counting versions, then puts the originals back. Clients must be created
 * inside `body`: openapi-fetch captures `Request` when a client is made.
 */
async function withCounting<T>(counts: Counts, body: (original: typeof Response) => Promise<T>): Promise<T> {
  const g = globalThis as unknown as Record<string, unknown>
  const saved = {
    Request: globalThis.Request,
    Headers: globalThis.Headers,
    URL: globalThis.URL,
    Response: globalThis.Response,
    AbortController: globalThis.AbortController,
    setTimeout: globalThis.setTimeout,
    parse: JSON.parse,
  }
  const proto = saved.Response.prototype
  const methods = { clone: proto.clone, text: proto.text, json: proto.json, arrayBuffer: proto.arrayBuffer }
  g.Request = class extends saved.Request {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(input, init)
      counts.Request += 1
    }
  }
  g.Headers = class extends saved.Headers {
    constructor(init?: HeadersInit) {
      super(init)
      counts.Headers += 1
    }
  }
  g.URL = class extends saved.URL {
    constructor(url: string | URL, base?: string | URL) {
      super(url, base)
      counts.URL += 1
    }
  }
  g.Response = class extends saved.Response {
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      super(body, init)
      counts.Response += 1
    }
  }
  g.AbortController = class extends saved.AbortController {
    constructor() {
      super()
      counts.AbortController += 1
    }
  }
  g.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    counts.setTimeout += 1
    return saved.setTimeout(...args)
  }) as typeof setTimeout
  JSON.parse = (...args: Parameters<typeof JSON.parse>) => {
    counts['JSON.parse'] += 1
    return saved.parse(...args)
  }
  for (const name of ['clone', 'text', 'json', 'arrayBuffer'] as const) {
    const original = methods[name] as (this: Response) => unknown
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value(this: Response) {
        counts[`Response.${name}`] += 1
        return original.call(this)
      },
    })
  }
  try {
    return await body(saved.Response)
  } finally {
    g.Request = saved.Request
    g.Headers = saved.Headers
    g.URL = saved.URL
    g.Response = saved.Response
    g.AbortController = saved.AbortController
    g.setTimeout = saved.setTimeout
    JSON.parse = saved.parse
    for (const name of ['clone', 'text', 'json', 'arrayBuffer'] as const) {
      Object.defineProperty(proto, name, { configurable: true, writable: true, value: methods[name] })
    }
  }
}

/** Microseconds per call (or per poll, for a contender measured through a wait). */
async function timePeer(peer: Peer, calls: number): Promise<number> {
  if (!peer.pollLoop) return timeCalls(() => peer.getTask(TASK_ID), calls)
  const result = await peer.pollLoop([TASK_ID], calls, 60_000)
  return (result.elapsedMs * 1000) / result.requests
}

async function countPrimitives(name: StubContender, calls: number): Promise<Counts> {
  const counts = zeroCounts()
  return withCounting(counts, async (original) => {
    const peer = createStubContender(name, stubSend(original))
    // One call first, so client state created lazily on first use is not charged to every call.
    await peer.getTask(TASK_ID)
    if (peer.pollLoop) await peer.pollLoop([TASK_ID], 10, 60_000)
    const before = { ...counts }
    if (peer.pollLoop) await peer.pollLoop([TASK_ID], calls, 60_000)
    else for (let i = 0; i < calls; i += 1) await peer.getTask(TASK_ID)
    return Object.fromEntries(PRIMITIVES.map((key) => [key, round((counts[key] - before[key]) / calls, 2)])) as Counts
  })
}

async function unitCostsOnce(ops: number): Promise<BreakdownResult['unitUs']> {
  const url = `${STUB_BASE_URL}/tasks/${TASK_ID}`
  const init = { headers: { Authorization: 'Bearer bench-token' } }
  const headers = new Headers({ Authorization: 'Bearer bench-token', 'User-Agent': 'bench' })
  const bytes = new TextEncoder().encode(BODY)
  const responseInit = { status: 200, headers: { 'content-type': 'application/json' } }
  const time = (fn: () => unknown): number => {
    for (let i = 0; i < Math.min(2000, ops); i += 1) fn()
    const startedAt = performance.now()
    for (let i = 0; i < ops; i += 1) fn()
    return ((performance.now() - startedAt) * 1000) / ops
  }
  const timeAsync = async (fn: () => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < Math.min(2000, ops); i += 1) await fn()
    const startedAt = performance.now()
    for (let i = 0; i < ops; i += 1) await fn()
    return ((performance.now() - startedAt) * 1000) / ops
  }
  const response = time(() => new Response(bytes, responseInit))
  const parse = time(() => JSON.parse(BODY))
  const text = (await timeAsync(() => new Response(bytes, responseInit).text())) - response
  const json = (await timeAsync(() => new Response(bytes, responseInit).json())) - response - parse
  const arrayBuffer = (await timeAsync(() => new Response(bytes, responseInit).arrayBuffer())) - response
  // Priced as a clone is used: both copies read to the end, less the Response and the two reads (counted on their own).
  const cloneAndRead = await timeAsync(async () => {
    const original = new Response(bytes, responseInit)
    const copy = original.clone()
    await copy.text()
    await original.text()
  })
  const clone = cloneAndRead - response - 2 * text
  const request = time(() => new Request(url, init))
  // A fresh parent each time: copying one Request over and over piles abort listeners onto its signal.
  const copy = time(() => new Request(new Request(url, init), { headers })) - request
  return {
    Request: round(request, 3),
    'Request (copy)': round(Math.max(0, copy), 3),
    Headers: round(
      time(() => new Headers(headers)),
      3,
    ),
    URL: round(
      time(() => new URL(url)),
      3,
    ),
    Response: round(response, 3),
    AbortController: round(
      time(() => new AbortController()),
      3,
    ),
    setTimeout: round(
      time(() => clearTimeout(setTimeout(() => {}, 30_000))),
      3,
    ),
    'Response.clone': round(Math.max(0, clone), 3),
    'Response.text': round(Math.max(0, text), 3),
    'Response.json': round(Math.max(0, json), 3),
    'Response.arrayBuffer': round(Math.max(0, arrayBuffer), 3),
    'JSON.parse': round(parse, 3),
  }
}

/** Unit costs measured three times; the median of each, since one pass can land on a GC or a recompile. */
async function unitCosts(ops: number): Promise<BreakdownResult['unitUs']> {
  const passes: BreakdownResult['unitUs'][] = []
  for (let i = 0; i < 3; i += 1) passes.push(await unitCostsOnce(ops))
  const first = passes[0] as BreakdownResult['unitUs']
  return Object.fromEntries(
    Object.keys(first).map((key) => [key, round(median(passes.map((pass) => pass[key as keyof typeof first])), 3)]),
  ) as BreakdownResult['unitUs']
}

export async function runBreakdown(
  options: BreakdownOptions,
  log: (line: string) => void = () => {},
): Promise<BreakdownResult> {
  const send = stubSend(Response)
  const contenders = STUB_CONTENDERS.map((name) => ({ name, peer: createStubContender(name, send) }))
  for (const { peer } of contenders) await timePeer(peer, Math.min(1000, options.calls))
  const perRound = Object.fromEntries(STUB_CONTENDERS.map((name) => [name, [] as number[]])) as Record<
    StubContender,
    number[]
  >
  for (let r = 0; r < options.rounds; r += 1) {
    for (const { name, peer } of roundOrder(contenders, r)) {
      perRound[name].push(await timePeer(peer, options.calls))
    }
  }
  const stubUsPerCall = Object.fromEntries(STUB_CONTENDERS.map((name) => [name, spread(perRound[name], 2)])) as Record<
    StubContender,
    Spread
  >
  log(`    stub µs/call: ${STUB_CONTENDERS.map((name) => `${name} ${stubUsPerCall[name].median}`).join(', ')}`)

  const counts = {} as Record<StubContender, Counts>
  for (const name of STUB_CONTENDERS) counts[name] = await countPrimitives(name, 50)
  const unitUs = await unitCosts(options.primitiveOps)

  const attribution = {} as BreakdownResult['attribution']
  for (const name of STUB_CONTENDERS) {
    const items: Partial<Record<Primitive, number>> = {}
    let attributedUs = 0
    for (const primitive of PRIMITIVES) {
      const count = counts[name][primitive]
      if (count === 0) continue
      // The first Request of a call is built from a URL, the rest copy a Request.
      const cost =
        primitive === 'Request'
          ? Math.min(1, count) * unitUs.Request + Math.max(0, count - 1) * unitUs['Request (copy)']
          : count * unitUs[primitive]
      items[primitive] = round(cost, 2)
      attributedUs += cost
    }
    attribution[name] = {
      items,
      attributedUs: round(attributedUs, 2),
      residualUs: round(stubUsPerCall[name].median - attributedUs, 2),
    }
  }
  return { stubUsPerCall, counts, unitUs, attribution }
}
