import { createRawClient, DEFAULT_BASE_URL, type RawClient } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { readRateLimit } from './errors.js'
import type { Logger } from './logger.js'
import { type Clock, systemClock } from './polling/clock.js'
import { PollHub } from './polling/hub.js'
import { DEFAULT_POLLING, type PollingOptions, resolvePollingOptions } from './polling/options.js'
import { FLAT_REQUESTS_PER_HOUR, PollScheduler } from './polling/scheduler.js'
import { createScoresApi, type ScoresApi } from './scores.js'
import { createTasksApi, type TasksApi } from './tasks.js'
import { type AccessToken, createFlatMiddleware, createTransportFetch, type FetchLike } from './transport.js'
import { SDK_VERSION } from './version.js'

export interface FlatClientOptions {
  /** Personal token or OAuth2 access token, or a function returning the current one. Default: none. */
  accessToken?: AccessToken
  /** API root. Default `https://api.flat.io/v2`. `http:` is refused unless the host is loopback. */
  baseUrl?: string
  /** Fetch implementation. Default `globalThis.fetch`. */
  fetch?: FetchLike
  /** Prepended to the SDK's own User-Agent. Default: none. */
  userAgent?: string
  /** Per-request timeout in milliseconds. Default 30000. */
  timeoutMs?: number
  /** Client-wide defaults for every wait. */
  polling?: PollingOptions
  /** Budget shared by every poll of this client, per hour; `Infinity` turns pacing off. Default 7200 (Flat's limit). */
  requestsPerHour?: number
  /** Receives what the SDK noticed but did not throw. Default: none (silent). */
  logger?: Logger
  /** Time source for timers and deadlines; inject one in tests. Default: the system clock. */
  clock?: Clock
  /** Uniform random numbers in [0, 1) for jitter; inject one in tests. Default `Math.random`. */
  random?: () => number
}

export interface FlatClient {
  /** The typed openapi-fetch client over every operation, with the SDK's auth, timeout and error handling. */
  readonly raw: RawClient
  readonly tasks: TasksApi
  readonly scores: ScoresApi
}

/** Longest wait for a rate-limit reset inside a poll loop; Flat's window is one hour. */
const MAX_RATE_LIMIT_WAIT_MS = 60 * 60_000
const DEFAULT_TIMEOUT_MS = 30_000
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function parseBaseUrl(value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new TypeError(`baseUrl must be an absolute URL, got ${JSON.stringify(value)}`)
  }
  const url = new URL(value)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`baseUrl must use https, got ${JSON.stringify(url.protocol)}`)
  }
  // A token over plain HTTP is readable by anyone on the path; loopback never leaves the machine.
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname) && !url.hostname.startsWith('127.')) {
    throw new TypeError(`baseUrl must use https unless the host is loopback, got ${JSON.stringify(url.origin)}`)
  }
  if (url.username || url.password) throw new TypeError('baseUrl must not carry credentials')
  return url
}

function checkOptions(options: FlatClientOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`createFlatClient options must be an object, got ${String(options)}`)
  }
  const { accessToken, userAgent, timeoutMs, fetch, clock, random } = options
  if (accessToken !== undefined && typeof accessToken !== 'string' && typeof accessToken !== 'function') {
    throw new TypeError(`accessToken must be a string or a function, got ${typeof accessToken}`)
  }
  if (typeof accessToken === 'string' && (accessToken.length === 0 || /[\r\n\0]/.test(accessToken))) {
    throw new TypeError('accessToken must be a non-empty string without CR, LF or NUL characters')
  }
  if (userAgent !== undefined && (typeof userAgent !== 'string' || /[\r\n\0]/.test(userAgent))) {
    throw new TypeError(`userAgent must be a string without CR, LF or NUL, got ${JSON.stringify(userAgent)}`)
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs <= 0)) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`)
  }
  if (fetch !== undefined && typeof fetch !== 'function') throw new TypeError('fetch must be a function')
  if (random !== undefined && typeof random !== 'function') throw new TypeError('random must be a function')
  if (clock !== undefined && (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function')) {
    throw new TypeError('clock must have now(), setTimeout() and clearTimeout()')
  }
}

/** The Flat API client: typed raw access plus helpers that wait, retry and throw typed errors. */
export function createFlatClient(options: FlatClientOptions = {}): FlatClient {
  checkOptions(options)
  const baseUrl = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL)
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const polling = resolvePollingOptions(DEFAULT_POLLING, options.polling)
  const baseFetch: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request))
  const userAgent = [options.userAgent, `flat-api-sdk/${SDK_VERSION}`].filter(Boolean).join(' ')

  const config = {
    baseUrl,
    accessToken: options.accessToken,
    userAgent,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: baseFetch,
    clock,
  }
  const raw = createRawClient({ baseUrl: baseUrl.href, fetch: createTransportFetch(config) })
  raw.use(createFlatMiddleware(config))

  const scheduler = new PollScheduler(clock, options.requestsPerHour ?? FLAT_REQUESTS_PER_HOUR)
  raw.use({
    onResponse({ response }) {
      const { remaining, resetAt } = readRateLimit(response.headers)
      scheduler.observe(remaining, resetAt)
    },
  })
  const hub = new PollHub({ clock, random, scheduler, maxRateLimitWaitMs: MAX_RATE_LIMIT_WAIT_MS }, clock)
  const reportedStates = new Set<string>()
  const context: ClientContext = {
    raw,
    polling,
    clock,
    random,
    logger: options.logger,
    scheduler,
    hub,
    reportUnknownState(state, subject) {
      if (reportedStates.has(state)) return
      reportedStates.add(state)
      options.logger?.warn?.(`${subject} reported an unknown state; treating it as not finished`, { state })
    },
  }
  const tasks = createTasksApi(context)
  const scores = createScoresApi(context, tasks)
  return { raw, tasks, scores }
}
