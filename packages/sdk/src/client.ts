import { createRawClient, DEFAULT_BASE_URL, type RawClient } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { readRateLimit } from './errors.js'
import type { Logger } from './logger.js'
import { createOmrApi, type OmrApi } from './omr.js'
import { createPaginate, type Paginate } from './pagination.js'
import { type Clock, systemClock } from './polling/clock.js'
import { PollHub } from './polling/hub.js'
import { DEFAULT_POLLING, type PollingOptions, resolvePollingOptions } from './polling/options.js'
import { FLAT_REQUESTS_PER_HOUR, PollScheduler } from './polling/scheduler.js'
import { type RetryOptions, resolveRetryOptions } from './retry.js'
import { createScoresApi, type ScoresApi } from './scores.js'
import { INSPECT, redactedUrl } from './secrets.js'
import { createTasksApi, type TasksApi } from './tasks.js'
import {
  type AccessToken,
  createFlatMiddleware,
  createTransportFetch,
  type FetchLike,
  isTokenSource,
  type TransportConfig,
} from './transport.js'
import { checkDuration, checkLocale } from './validate.js'
import { SDK_VERSION } from './version.js'

/** Options for {@link createFlatClient}; every field is optional and checked when the client is created. */
export interface FlatClientOptions {
  /** Personal or OAuth2 token, a function returning the current one, or `createOAuthTokenSource()`. Default: none. */
  accessToken?: AccessToken
  /** API root. Default `https://api.flat.io/v2`; `http:` only for a loopback host or with `allowInsecureHttp`. */
  baseUrl?: string
  /** Accept an `http:` base URL on a non-loopback host (the token then travels in clear). Default false. */
  allowInsecureHttp?: boolean
  /** Fetch implementation. Default `globalThis.fetch`. */
  fetch?: FetchLike
  /** Prepended to the SDK's own User-Agent. Default: none. */
  userAgent?: string
  /** Per-request timeout in milliseconds, per attempt; long polls raise it above their server wait. Default 30000. */
  timeoutMs?: number
  /**
   * Re-sending of idempotent requests (never POST or PATCH) after a rate limit, a 5xx, a timeout or a network failure;
   * `false` turns it off. Default {@link DEFAULT_RETRY} (3 retries).
   */
  retry?: false | RetryOptions
  /** `X-Flat-Locale` sent with every request (localized messages, OMR texts). Default: none (the account's locale). */
  locale?: string
  /** Pacing of every wait; a wait's own options override it field by field. Default {@link DEFAULT_POLLING}. */
  polling?: PollingOptions
  /** Budget shared by every poll of this client, per hour; `Infinity` turns pacing off. Default 7200 (Flat's limit). */
  requestsPerHour?: number
  /** Receives what the SDK noticed but did not throw, such as retries. Default: none (silent). */
  logger?: Logger
  /** Time source for timers and deadlines; inject one in tests. Default: the system clock. */
  clock?: Clock
  /** Uniform random numbers in [0, 1) for jitter; inject one in tests. Default `Math.random`. */
  random?: () => number
}

/**
 * The client {@link createFlatClient} returns. It holds the token: `JSON.stringify`, `String()` and `util.inspect`
 * show a summary with the token redacted.
 */
export interface FlatClient {
  /** The typed openapi-fetch client over every operation, with the SDK's auth, timeout, retries and form bodies. */
  readonly raw: RawClient
  /** Asynchronous tasks (`/tasks/{task}`): get one, wait for it, watch it, resume a saved wait. */
  readonly tasks: TasksApi
  /** Scores: downloads of a revision, audio exports through a task, file imports. */
  readonly scores: ScoresApi
  /** Optical music recognition: from scanned pages to a score or a MusicXML file. */
  readonly omr: OmrApi
  /** Iterates every item of a cursor-paginated list, following `Link: rel="next"`. */
  readonly paginate: Paginate
}

/** Longest wait for a rate-limit reset inside a poll loop; Flat's window is one hour. */
const MAX_RATE_LIMIT_WAIT_MS = 60 * 60_000
const DEFAULT_TIMEOUT_MS = 30_000
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]'])

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname)
}

function parseBaseUrl(value: unknown, allowInsecureHttp: boolean): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new TypeError(`baseUrl must be an absolute URL, got ${JSON.stringify(value)}`)
  }
  const url = new URL(value)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`baseUrl must use https, got ${JSON.stringify(url.protocol)}`)
  }
  if (url.username || url.password) throw new TypeError('baseUrl must not carry credentials')
  // A token over plain HTTP is readable by anyone on the path; loopback never leaves the machine.
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !allowInsecureHttp) {
    throw new TypeError(
      `baseUrl must use https unless the host is loopback or allowInsecureHttp is set, got ${JSON.stringify(url.origin)}`,
    )
  }
  if (url.search || url.hash) throw new TypeError(`baseUrl must not have a query or fragment, got ${redactedUrl(url)}`)
  return url
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function checkOptions(options: FlatClientOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`createFlatClient options must be an object, got ${String(options)}`)
  }
  const { accessToken, userAgent, timeoutMs, fetch, clock, random, allowInsecureHttp, logger } = options
  if (
    accessToken !== undefined &&
    typeof accessToken !== 'string' &&
    typeof accessToken !== 'function' &&
    !isTokenSource(accessToken)
  ) {
    throw new TypeError(`accessToken must be a string, a function or a token source, got ${typeof accessToken}`)
  }
  if (typeof accessToken === 'string' && (accessToken.length === 0 || /[\r\n\0]/.test(accessToken))) {
    throw new TypeError('accessToken must be a non-empty string without CR, LF or NUL characters')
  }
  if (userAgent !== undefined && (typeof userAgent !== 'string' || /[\r\n\0]/.test(userAgent))) {
    throw new TypeError(`userAgent must be a string without CR, LF or NUL, got ${describe(userAgent)}`)
  }
  checkDuration('timeoutMs', timeoutMs)
  if (allowInsecureHttp !== undefined && typeof allowInsecureHttp !== 'boolean') {
    throw new TypeError(`allowInsecureHttp must be a boolean, got ${describe(allowInsecureHttp)}`)
  }
  if (fetch !== undefined && typeof fetch !== 'function')
    throw new TypeError(`fetch must be a function, got ${typeof fetch}`)
  if (random !== undefined && typeof random !== 'function') {
    throw new TypeError(`random must be a function, got ${typeof random}`)
  }
  if (clock !== undefined && (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function')) {
    throw new TypeError('clock must have now(), setTimeout() and clearTimeout()')
  }
  if (logger !== undefined && (logger === null || typeof logger !== 'object')) {
    throw new TypeError(`logger must be an object with debug() and warn(), got ${describe(logger)}`)
  }
  if (options.locale !== undefined) checkLocale('locale', options.locale)
}

/** The Flat API client: typed raw access plus helpers that wait, retry and throw typed errors. */
export function createFlatClient(options: FlatClientOptions = {}): FlatClient {
  checkOptions(options)
  const baseUrl = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL, options.allowInsecureHttp ?? false)
  const retry = resolveRetryOptions(options.retry)
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const polling = resolvePollingOptions(DEFAULT_POLLING, options.polling)
  const baseFetch: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request))
  const userAgent = [options.userAgent, `flat-api-sdk/${SDK_VERSION}`].filter(Boolean).join(' ')
  const scheduler = new PollScheduler(clock, options.requestsPerHour ?? FLAT_REQUESTS_PER_HOUR)

  const transport: TransportConfig = {
    baseUrl,
    accessToken: options.accessToken,
    userAgent,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: baseFetch,
    clock,
    random,
    retry,
    logger: options.logger,
    locale: options.locale,
    onApiResponse(response) {
      const { remaining, resetAt } = readRateLimit(response.headers)
      scheduler.observe(remaining, resetAt)
    },
  }
  const raw = createRawClient({ baseUrl: baseUrl.href, fetch: createTransportFetch(transport) })
  raw.use(createFlatMiddleware(transport))

  const pollEnv = { clock, random, scheduler, maxRateLimitWaitMs: MAX_RATE_LIMIT_WAIT_MS }
  const hub = new PollHub(pollEnv, clock)
  const reportedStates = new Set<string>()
  const context: ClientContext = {
    raw,
    polling,
    clock,
    random,
    logger: options.logger,
    scheduler,
    hub,
    pollEnv,
    reportUnknownState(state, subject) {
      if (reportedStates.has(state)) return

      reportedStates.add(state)
      options.logger?.warn?.(`${subject} reported an unknown state; treating it as not finished`, { state })
    },
    transport,
    fetchWith: (settings) => createTransportFetch(transport, settings),
    pollFetch: createTransportFetch(transport, { retry: false }),
  }
  const tasks = createTasksApi(context)
  const scores = createScoresApi(context, tasks)
  const omr = createOmrApi(context)
  const paginate = createPaginate(context)
  const summary = () => ({
    baseUrl: baseUrl.href,
    accessToken: options.accessToken === undefined ? 'none' : '[redacted]',
    retry: retry === false ? false : { ...retry },
    timeoutMs: transport.timeoutMs,
  })
  const client: FlatClient = { raw, tasks, scores, omr, paginate }
  // The client holds the token: printing or serializing it shows a summary instead.
  Object.defineProperties(client, {
    toJSON: { value: summary },
    toString: { value: () => `FlatClient(${baseUrl.href})` },
    [INSPECT]: { value: () => `FlatClient ${JSON.stringify(summary())}` },
  })
  return client
}
