import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Task } from '@flat-api/raw'
import type { SimContext } from './context.js'
import { CORS_HEADERS, preflightHeaders } from './cors.js'
import { FaultInjector, type FaultKind, type FaultOptions, type FaultStats } from './faults.js'
import { FileHost, type FileHostInfo } from './files.js'
import { fail, HttpError, NO_REPLY, parseBody, type Reply, type RequestContext, Router } from './http.js'
import { type LibraryIds, type LibraryOptions, seedLibrary } from './library.js'
import { type OAuthControl, type OAuthOptions, OAuthServer } from './oauth.js'
import { type OmrControl, type OmrOptions, OmrStore } from './omr.js'
import { Paginator } from './pagination.js'
import { seededRandom } from './random.js'
import { RateLimiter, type RateLimitOptions, type RateLimitStats } from './rate-limit.js'
import { faultCut, faultReply, send } from './respond.js'
import { registerCollectionRoutes } from './routes/collections.js'
import { registerOAuthRoutes } from './routes/oauth.js'
import { registerOmrRoutes } from './routes/omr.js'
import { registerScoreRoutes } from './routes/scores.js'
import { registerTaskRoutes } from './routes/tasks.js'
import { registerUserRoutes } from './routes/users.js'
import { SimulatorState } from './state.js'
import { type TaskPlan, TaskStore } from './tasks.js'
import { Timers } from './timers.js'

export interface SimulatorOptions {
  /** Interface to listen on, for the API and the file host. Default `127.0.0.1`. */
  host?: string
  /** Port of the API; 0 picks a free one. Default 0. */
  port?: number
  /** Port of the file host; 0 picks a free one. Default 0. */
  fileHostPort?: number
  /** Bearer tokens accepted; any non-empty token when omitted. OAuth-issued tokens are accepted until they expire. */
  tokens?: readonly string[]
  /** How long an export task takes from creation to done, in milliseconds. Default 2000. */
  exportDurationMs?: number
  /** How long a PDF import task (OMR through `POST /scores`) takes, in milliseconds. Default 2000. */
  importDurationMs?: number
  /** Fraction of export and PDF import tasks that end in `error`, drawn from the seed. Default 0. */
  failureRate?: number
  /** Seed for ids, outcomes, the library, cursors and faults, so a run is reproducible. Default 1. */
  seed?: number
  /** Time source in epoch milliseconds; inject one to step tasks and jobs by hand. Default `Date.now`. */
  now?: () => number
  /** Keep `requests` and `fileHost.requests`. Default true; turn off for long benchmarks. */
  logRequests?: boolean
  /**
   * Flat's per-token request budget, with its headers and 403s: `{}` is Flat's 7200 requests an hour. Omitted or
   * `false`, nothing is refused and no budget header is sent (clients that pace themselves by those headers would
   * otherwise slow every test down); `sim.rateLimit` counts either way.
   */
  rateLimit?: RateLimitOptions | false
  /** Account limits: past `maxScores` owned scores, imports answer 402. Default unlimited. */
  quota?: { maxScores?: number }
  /** Items seeded at start, drawn from the seed. Default none. */
  library?: LibraryOptions
  /**
   * Where a done export task's `result.url` points: `api` is `<url>/files/…`, which redirects to the file host;
   * `fileHost` is the file host itself. Default `api`.
   */
  exportUrls?: 'api' | 'fileHost'
  /** OMR jobs: default plan and credits. */
  omr?: OmrOptions
  /** Enables `POST /oauth/access_token` and `GET /auth/oauth` for this client. Default off (both 404). */
  oauth?: OAuthOptions
  /** Injected faults, reproducible from their seed. Default none. */
  faults?: FaultOptions
}

export interface LoggedRequest {
  method: string
  /** Path and query as received. */
  url: string
  /** 0 while the answer is pending (a long-poll), or when the client left before it. */
  status: number
  /** Arrival on the simulator clock. */
  at: number
  /** The fault this request got, if any. */
  fault?: FaultKind
}

export type { TaskPlan, TaskStep } from './tasks.js'

export interface Simulator {
  /** Origin, e.g. `http://127.0.0.1:4010`. */
  readonly url: string
  /** API root, `<url>/v2`: pass it as the SDK's `baseUrl`. */
  readonly baseUrl: string
  /** Every request received by the API origin, in order of arrival (unless `logRequests: false`). */
  readonly requests: readonly LoggedRequest[]
  /** The second origin serving files, and what it received. */
  readonly fileHost: FileHostInfo
  readonly rateLimit: RateLimitStats
  readonly faults: FaultStats
  readonly oauth: OAuthControl
  readonly omr: OmrControl
  /** Ids of the seeded items. */
  readonly library: LibraryIds
  /** Adds a task that follows `plan`, for tests that need one without a score. */
  addTask(plan: TaskPlan): Task
  /** Makes a task (and its children) vanish: later polls answer 404. False when there was no such task. */
  removeTask(id: string): boolean
  close(): Promise<void>
}

const KEEP_ALIVE_MS = 65_000
const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Bearer realm="Flat API"' }

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (!header?.startsWith('Bearer ')) return undefined
  const token = header.slice(7).trim()
  return token === '' ? undefined : token
}

function listenOrigin(server: Server): string {
  const address = server.address() as AddressInfo
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
}

/** Starts a simulator (the API and its file host) and resolves once both listen. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1'
  const now = options.now ?? Date.now
  const seed = options.seed ?? 1
  const exportDurationMs = options.exportDurationMs ?? 2000
  const importDurationMs = options.importDurationMs ?? 2000
  const failureRate = options.failureRate ?? 0
  const maxScores = options.quota?.maxScores ?? Number.POSITIVE_INFINITY
  if (!(exportDurationMs >= 0)) throw new RangeError(`exportDurationMs must be >= 0, got ${exportDurationMs}`)
  if (!(importDurationMs >= 0)) throw new RangeError(`importDurationMs must be >= 0, got ${importDurationMs}`)
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError(`failureRate must be between 0 and 1, got ${failureRate}`)
  }
  if (!(maxScores >= 0)) throw new RangeError(`quota.maxScores must be >= 0, got ${maxScores}`)

  const logRequests = options.logRequests ?? true
  const idRandom = seededRandom(seed)
  const tokens = options.tokens ? new Set(options.tokens) : undefined
  const requests: LoggedRequest[] = []
  const timers = new Timers()
  const closing = new AbortController()
  const limiter = new RateLimiter(options.rateLimit, now)
  const faults = new FaultInjector(options.faults, seed)
  const secret = `flat-simulator-${seed}`
  let counter = 0
  let origin = ''

  const newId = (): string => {
    counter += 1
    const salt = Math.floor(idRandom() * 0xffffffff)
    return `${counter.toString(16).padStart(8, '0')}${salt.toString(16).padStart(8, '0')}${'0'.repeat(8)}`
  }
  const tokenId = (prefix: string): string => `${prefix}_${newId()}${Math.floor(idRandom() * 0xffffffff).toString(36)}`

  const state = new SimulatorState(now, newId, () => origin)
  const tasks = new TaskStore(now, newId)
  const files = new FileHost(now, secret, faults, logRequests, timers)
  const omr = new OmrStore(state, timers, options.omr ?? {}, options.now !== undefined)
  const oauth = options.oauth ? new OAuthServer(options.oauth, now, tokenId) : undefined
  const sim: SimContext = {
    now,
    newId,
    outcomeRandom: seededRandom(seed ^ 0x0c0ffee),
    state,
    tasks,
    omr,
    files,
    paginator: new Paginator(secret, () => origin),
    origin: () => origin,
    closing: closing.signal,
    config: { exportDurationMs, importDurationMs, failureRate, maxScores, exportUrls: options.exportUrls ?? 'api' },
  }

  const router = new Router()
  registerTaskRoutes(router, sim)
  registerScoreRoutes(router, sim)
  registerCollectionRoutes(router, sim)
  registerUserRoutes(router, sim)
  registerOmrRoutes(router, sim)
  if (oauth) registerOAuthRoutes(router, oauth)

  const library = seedLibrary(state, options.library ?? {}, seed, (title, createdAt) =>
    omr.addFinished(newId(), title, createdAt),
  )

  /** Who may call: 401 reasons, or undefined when the token is good. */
  function authenticate(token: string | undefined): Reply | undefined {
    if (!token) return fail(401, 'UNAUTHORIZED', 'A bearer token is required')
    const verdict = oauth?.check(token) ?? 'unknown'
    if (verdict === 'expired') return fail(401, 'TOKEN_EXPIRED', 'The access token has expired')
    if (verdict === 'unknown' && tokens && !tokens.has(token)) {
      return fail(401, 'UNAUTHORIZED', 'The access token is not valid')
    }
    return undefined
  }

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string, search: string): Promise<Reply> {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET')
    const match = router.match(method, pathname)
    if (match.kind === 'none') return fail(404, 'NOT_FOUND', `No route for ${pathname}`)
    if (match.kind === 'bad-param')
      return fail(400, 'BAD_REQUEST', `Malformed path parameter ${match.param}`, match.param)
    if (match.kind === 'method') {
      const reply = fail(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${pathname}`)
      return { ...reply, headers: { Allow: [...new Set([...match.allowed, 'OPTIONS'])].join(', ') } }
    }
    if (match.route.auth) {
      const refused = authenticate(bearer(req))
      if (refused) return { ...refused, headers: UNAUTHORIZED_HEADERS }
    }
    const ctx: RequestContext = {
      req,
      res,
      pathname,
      query: new URLSearchParams(search),
      params: match.params,
      body: await parseBody(req, match.route.body),
    }
    return match.route.handler(ctx)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const queryAt = url.indexOf('?')
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt)
    const entry: LoggedRequest = { method, url, status: 0, at: now() }
    if (logRequests) requests.push(entry)

    if (method === 'OPTIONS') {
      entry.status = 204
      send(res, { status: 204 }, preflightHeaders(req))
      return
    }

    let base: Readonly<Record<string, string>> = CORS_HEADERS
    let exceeded = false
    if (pathname.startsWith('/v2/')) {
      const verdict = limiter.hit(bearer(req) ?? 'anonymous')
      exceeded = verdict.exceeded
      if (limiter.enabled) {
        base = {
          ...CORS_HEADERS,
          'X-RateLimit-Limit': String(verdict.limit),
          'X-RateLimit-Remaining': String(verdict.remaining),
          'X-RateLimit-Reset': String(verdict.resetSec),
        }
      }
    }

    const fault = faults.draw(method, url, pathname, now())
    if (fault) entry.fault = fault.kind
    if (fault?.kind === 'slow') {
      await new Promise<void>((resolve) => timers.set(resolve, fault.delayMs))
    }
    const instead = fault ? faultReply(fault, `${origin}${url}`, now(), limiter.limit) : undefined
    let reply: Reply
    if (instead) reply = instead
    else if (exceeded) reply = fail(403, 'API_RATE_LIMIT_EXCEEDED', 'API rate limit exceeded')
    else {
      try {
        reply = await route(req, res, pathname, queryAt < 0 ? '' : url.slice(queryAt + 1))
      } catch (cause) {
        reply =
          cause instanceof HttpError
            ? fail(cause.status, cause.code, cause.message, cause.param)
            : { status: 500, json: { code: 'INTERNAL_ERROR', message: (cause as Error).message, id: newId() } }
      }
    }
    if (reply === NO_REPLY || res.destroyed) return
    entry.status = reply.status
    send(res, reply, base, faultCut(fault))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Only writing to a socket that just died can end up here; there is nobody left to answer.
      if (!res.headersSent) res.destroy()
    })
  })

  // Idle sockets outlive the client's own keep-alive (undici drops its own after 4 s), so a client never reuses a
  // socket the server is closing; a deep backlog lets thousands of clients connect at once.
  server.keepAliveTimeout = KEEP_ALIVE_MS
  server.listen({ port: options.port ?? 0, host, backlog: 4096 })
  await Promise.all([once(server, 'listening'), files.listen(host, options.fileHostPort ?? 0)])
  origin = listenOrigin(server)
  let closed: Promise<void> | undefined

  return {
    url: origin,
    baseUrl: `${origin}/v2`,
    requests,
    fileHost: files,
    rateLimit: limiter,
    faults,
    oauth: oauth ?? disabledOAuth,
    omr: {
      queuePlan: (plan) => omr.queuePlan(plan),
      get pendingWaits() {
        return omr.waits
      },
      get remainingCredits() {
        return omr.remainingCredits
      },
    },
    library,
    addTask: (plan) => tasks.view(tasks.create(plan)),
    removeTask: (id) => tasks.remove(id),
    close() {
      closed ??= (async () => {
        closing.abort()
        timers.clearAll()
        server.closeAllConnections()
        server.close()
        await Promise.all([once(server, 'close'), files.close()])
      })()
      return closed
    },
  }
}

const disabledOAuth: OAuthControl = {
  refreshCount: 0,
  tokenRequests: 0,
  issue() {
    throw new Error('OAuth is off: start the simulator with the oauth option')
  },
  expireAccessTokens() {},
}
