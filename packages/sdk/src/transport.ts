import type { Middleware } from 'openapi-fetch'
import {
  EMPTY_BODY_MARKER,
  FlatConnectionError,
  FlatRedirectError,
  FlatTimeoutError,
  isRateLimitBody,
  type RequestTarget,
} from './errors.js'
import { encodeForm, FORM_TYPE, takesFormBody } from './form.js'
import type { Logger } from './logger.js'
import { type Clock, linkAbort, sleep } from './polling/clock.js'
import {
  backoffMs,
  IDEMPOTENT_METHODS,
  isRetryableStatus,
  type ResolvedRetryOptions,
  type RetryPlan,
  rateLimitDelayMs,
  serverErrorDelayMs,
} from './retry.js'

/** A fetch that takes a `Request`, such as `globalThis.fetch`; what the `fetch` options accept. */
export type FetchLike = (input: Request) => Promise<Response>

/** A token provider the client can ask for a fresh token after a 401, such as `createOAuthTokenSource`. */
export interface TokenSource {
  /** The token to send now; refreshes an expired one first. */
  getAccessToken(): Promise<string>
  /** Called after a 401 with the token that was refused; resolves with a fresh one. */
  refresh(rejected: string): Promise<string>
}

/** A bearer token, a function returning the current one (called per request), or a refreshing token source. */
export type AccessToken = string | (() => string | Promise<string>) | TokenSource

export interface TransportConfig {
  baseUrl: URL
  accessToken: AccessToken | undefined
  userAgent: string
  timeoutMs: number
  fetch: FetchLike
  clock: Clock
  random: () => number
  retry: ResolvedRetryOptions | false
  logger?: Logger | undefined
  /** Default `X-Flat-Locale`. */
  locale?: string | undefined
  /** Sees every response from the API, retried ones included (rate-limit bookkeeping). */
  onApiResponse?: ((response: Response) => void) | undefined
}

/** Per-request settings; a helper passes `createTransportFetch(config, settings)` as that call's `fetch`. */
export interface RequestSettings {
  /** Overrides the client's per-request timeout (a long poll must outlive its server-side wait). */
  timeoutMs?: number
  /** `false` sends each request once: a poll loop retries on its own schedule and budget. */
  retry?: false
  /** `api` (default) attaches the token only to URLs under the API root; `never` suits signed file URLs. */
  auth?: 'api' | 'never'
  /**
   * Read every body whole inside the attempt (a download that is buffered anyway), so a cut body is retried like any
   * network failure and the timeout covers it. Default: only JSON and error bodies.
   */
  readWhole?: boolean
}

/** Redirects followed for one request; a file-host hop or two is normal, more is a misconfiguration. */
export const MAX_REDIRECTS = 5
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304])

const targets = new WeakMap<Request, RequestTarget>()
const redirects = new WeakMap<Response, readonly Response[]>()
/** The bytes of a response read whole, so checking its JSON needs no clone and no second read. */
const wholeBodies = new WeakMap<Response, ArrayBuffer>()
const utf8 = new TextDecoder()

/** Names the operation a request belongs to, so failures can show the path template rather than a filled URL. */
export function withTarget(request: Request, target: RequestTarget): Request {
  targets.set(request, target)
  return request
}

function targetOf(request: Request): RequestTarget {
  return targets.get(request) ?? { method: request.method, path: new URL(request.url).pathname }
}

/** The redirect responses (bodies discarded) that led to `response`, first hop first. */
export function redirectChain(response: Response): readonly Response[] {
  return redirects.get(response) ?? []
}

export function isTokenSource(value: unknown): value is TokenSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TokenSource).getAccessToken === 'function' &&
    typeof (value as TokenSource).refresh === 'function'
  )
}

async function resolveToken(token: AccessToken | undefined): Promise<string | undefined> {
  let value: unknown
  if (typeof token === 'function') value = await token()
  else if (isTokenSource(token)) value = await token.getAccessToken()
  else value = token
  if (value === undefined) return undefined

  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(
      `accessToken must resolve to a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`,
    )
  }
  // Checked here rather than left to fetch, whose error would quote the secret.
  if (/[\r\n\0]/.test(value)) throw new TypeError('accessToken must not contain CR, LF or NUL characters')
  return value
}

/** Whether `url` lies under the API root: the token is the API's, not the whole origin's. */
export function isUnderApi(url: string, baseUrl: URL): boolean {
  const parsed = new URL(url)
  if (parsed.origin !== baseUrl.origin) return false

  const root = baseUrl.pathname.replace(/\/+$/, '')
  return root === '' || parsed.pathname === root || parsed.pathname.startsWith(`${root}/`)
}

/** Keeps `url` and `redirected` of the response a copy replaces, which the constructor cannot set. */
function replaceResponse(original: Response, body: BodyInit | null, headers: Headers = original.headers): Response {
  const copy = new Response(NULL_BODY_STATUSES.has(original.status) ? null : body, {
    status: original.status,
    statusText: original.statusText,
    headers,
  })
  Object.defineProperty(copy, 'url', { value: original.url })
  Object.defineProperty(copy, 'redirected', { value: original.redirected })
  const chain = redirects.get(original)
  if (chain) redirects.set(copy, chain)
  return copy
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {})
}

async function formBody(request: Request, headers: Headers): Promise<string> {
  const text = await request.text()
  const type = headers.get('content-type') ?? ''
  headers.set('Content-Type', FORM_TYPE)
  if (!/\bjson\b/i.test(type)) return text

  try {
    return encodeForm(JSON.parse(text))
  } catch (cause) {
    throw new TypeError(`the body of ${request.method} must be a flat object for a form body`, { cause })
  }
}

function setClientHeaders(headers: Headers, config: TransportConfig): void {
  headers.set('User-Agent', config.userAgent)
  if (config.locale && !headers.has('x-flat-locale')) headers.set('X-Flat-Locale', config.locale)
}

/**
 * The client's openapi-fetch middleware: sets the User-Agent and the default locale, encodes the form-body
 * operations as `application/x-www-form-urlencoded`, remembers which operation each request belongs to, and gives an
 * error response with an empty body a JSON body (openapi-fetch would otherwise report `error: undefined`, which
 * reads like success). The token is added later, per attempt, by the transport.
 */
export function createFlatMiddleware(config: TransportConfig): Middleware {
  return {
    async onRequest({ request, schemaPath }) {
      const target = { method: request.method, path: schemaPath }
      if (takesFormBody(request.method, schemaPath) && request.body !== null) {
        const headers = new Headers(request.headers)
        setClientHeaders(headers, config)
        return withTarget(new Request(request, { headers, body: await formBody(request, headers) }), target)
      }
      // The Request openapi-fetch just built is ours alone: amend its headers rather than pay for a copy.
      setClientHeaders(request.headers, config)
      return withTarget(request, target)
    },
    async onResponse({ response }) {
      if (response.status < 400) return undefined

      const text = await response
        .clone()
        .text()
        .catch(() => '')
      if (text.trim() !== '') return undefined

      const headers = new Headers(response.headers)
      headers.set('Content-Type', 'application/json')
      headers.delete('Content-Length')
      const message = `${response.status} ${response.statusText || 'error'} with an empty body`
      return replaceResponse(response, JSON.stringify({ message, [EMPTY_BODY_MARKER]: 'true' }), headers)
    },
  }
}

interface Sent {
  response: Response
  /** The token the final hop carried, if any: a 401 names it to the token source. */
  token: string | undefined
}

interface Exchange {
  config: TransportConfig
  request: Request
  body: ArrayBuffer | null
  target: RequestTarget
  auth: 'api' | 'never'
  readWhole: boolean
}

/** Small bodies are read inside the attempt, so a stalled or cut body is a timeout or connection error there. */
function readsWhole(response: Response): boolean {
  return response.status >= 400 || /\bjson\b/i.test(response.headers.get('content-type') ?? '')
}

/**
 * One attempt: sends the request, following redirects by hand so the token never reaches another origin (or a path
 * outside the API root), and reads a JSON or error body whole.
 */
async function sendFollowing(exchange: Exchange, signal: AbortSignal): Promise<Sent> {
  const { config, request, target } = exchange
  const follow = request.redirect === 'follow'
  const headers = new Headers(request.headers)
  const visited = new Set<string>([request.url])
  const chain: Response[] = []
  let url = request.url
  let method = request.method
  let body = exchange.body
  for (let hop = 0; ; hop += 1) {
    const hopHeaders = new Headers(headers)
    let token: string | undefined
    if (exchange.auth === 'api' && isUnderApi(url, config.baseUrl)) {
      token = await resolveToken(config.accessToken)
      if (token) hopHeaders.set('Authorization', `Bearer ${token}`)
    } else {
      hopHeaders.delete('Authorization')
    }
    const init: RequestInit = {
      method,
      headers: hopHeaders,
      body,
      signal,
      redirect: follow ? 'manual' : request.redirect,
    }
    const outgoing =
      hop === 0 ? new Request(request, init) : new Request(url, { ...init, credentials: request.credentials })
    let response = await send(config, outgoing, target, signal)
    if (isUnderApi(url, config.baseUrl)) config.onApiResponse?.(response)
    if (response.type === 'opaqueredirect') {
      // A browser hides manual redirects; let it follow this one, which drops Authorization across origins.
      response = await send(config, new Request(url, { ...init, redirect: 'follow' }), target, signal)
    } else if (follow && REDIRECT_STATUSES.has(response.status)) {
      const location = response.headers.get('location')
      if (location !== null && URL.canParse(location, url)) {
        const next = new URL(location, url).href
        await discard(response)
        chain.push(response)
        if (visited.has(next)) throw new FlatRedirectError(target, hop + 1, true)
        if (hop + 1 > MAX_REDIRECTS) throw new FlatRedirectError(target, MAX_REDIRECTS, false)

        visited.add(next)
        const toGet = response.status === 303 ? method !== 'HEAD' : response.status <= 302 && method === 'POST'
        if (toGet) {
          method = 'GET'
          body = null
          headers.delete('Content-Type')
          headers.delete('Content-Length')
        }
        url = next
        continue
      }
    }
    if (chain.length > 0) redirects.set(response, chain)
    if (exchange.readWhole || readsWhole(response)) {
      let bytes: ArrayBuffer
      try {
        bytes = await response.arrayBuffer()
      } catch (error) {
        if (signal.aborted) throw signal.reason
        throw new FlatConnectionError(target, error)
      }
      response = replaceResponse(response, bytes)
      wholeBodies.set(response, bytes)
    }
    return { response, token }
  }
}

async function send(
  config: TransportConfig,
  request: Request,
  target: RequestTarget,
  signal: AbortSignal,
): Promise<Response> {
  try {
    return await config.fetch(request)
  } catch (error) {
    if (signal.aborted) throw signal.reason
    throw new FlatConnectionError(target, error)
  }
}

/** One attempt under its own timeout; a caller's abort surfaces as the signal's reason, as fetch does. */
async function attempt(exchange: Exchange, timeoutMs: number): Promise<Sent> {
  const { config, request, target } = exchange
  // Linked by hand rather than AbortSignal.any, which keeps every parent alive in Node 20.
  const controller = new AbortController()
  const unlink = linkAbort(request.signal, controller)
  const timer = Number.isFinite(timeoutMs)
    ? config.clock.setTimeout(() => controller.abort(new FlatTimeoutError(target, timeoutMs)), timeoutMs)
    : undefined
  try {
    const work = sendFollowing(exchange, controller.signal)
    // A test clock lets requests in flight finish before it fires the next timer.
    config.clock.track?.(work)
    return await work
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason
    if (controller.signal.aborted) throw controller.signal.reason
    throw error
  } finally {
    if (timer !== undefined) config.clock.clearTimeout(timer)
    unlink()
  }
}

function isMalformedJson(response: Response, text: string): boolean {
  if (!response.ok || !text.trim() || !/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return false

  try {
    JSON.parse(text)
    return false
  } catch {
    return true
  }
}

async function planFor(
  response: Response,
  config: TransportConfig,
  retry: ResolvedRetryOptions,
  attemptIndex: number,
): Promise<RetryPlan | undefined> {
  const now = config.clock.now()
  if (response.status === 403) {
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined)
    if (!isRateLimitBody(body)) return undefined

    const delayMs = rateLimitDelayMs(response.headers, retry, attemptIndex, now, config.random)
    return delayMs === undefined ? undefined : { reason: 'rate-limit', delayMs }
  }
  if (isRetryableStatus(response.status)) {
    const delayMs = serverErrorDelayMs(response.headers, retry, attemptIndex, now, config.random)
    return delayMs === undefined ? undefined : { reason: 'server-error', delayMs }
  }
  if (response.ok && readsWhole(response)) {
    const bytes = wholeBodies.get(response)
    const text = bytes
      ? utf8.decode(bytes)
      : await response
          .clone()
          .text()
          .catch(() => '')
    if (isMalformedJson(response, text))
      return { reason: 'network', delayMs: backoffMs(retry, attemptIndex, config.random) }
  }
  return undefined
}

function isTransient(error: unknown): boolean {
  return error instanceof FlatConnectionError || error instanceof FlatTimeoutError
}

/**
 * The fetch openapi-fetch calls. Per attempt: the token (only for the API root), the timeout, manual redirects.
 * Around the attempts: idempotent requests are re-sent after a rate limit (at its reset), a 5xx, a network failure
 * or a cut or garbled JSON body, with the body buffered once so every attempt sends the same bytes; a 401 with a
 * refreshing token source refreshes once and re-sends once. An abort stops a pending wait at once and sends nothing
 * more.
 */
export function createTransportFetch(config: TransportConfig, settings: RequestSettings = {}): FetchLike {
  const timeoutMs = settings.timeoutMs ?? config.timeoutMs
  const retry = settings.retry === false ? false : config.retry
  const auth = settings.auth ?? 'api'
  return async (request) => {
    const target = targetOf(request)
    const { signal } = request
    if (signal.aborted) throw signal.reason

    const body = request.body === null ? null : await request.arrayBuffer()
    const exchange: Exchange = { config, request, body, target, auth, readWhole: settings.readWhole ?? false }
    const retries = retry !== false && IDEMPOTENT_METHODS.has(request.method) ? retry : undefined
    let attemptIndex = 0
    let refreshed = false
    const pause = async (plan: RetryPlan, status?: number): Promise<void> => {
      config.logger?.debug?.(`retrying ${target.method} ${target.path}`, {
        reason: plan.reason,
        attempt: attemptIndex + 1,
        delayMs: Math.round(plan.delayMs),
        ...(status === undefined ? {} : { status }),
      })
      await sleep(plan.delayMs, config.clock, signal)
      attemptIndex += 1
    }
    while (true) {
      let sent: Sent
      try {
        sent = await attempt(exchange, timeoutMs)
      } catch (error) {
        if (signal.aborted) throw signal.reason
        if (!retries || attemptIndex >= retries.limit || !isTransient(error)) throw error

        await pause({ reason: 'network', delayMs: backoffMs(retries, attemptIndex, config.random) })
        continue
      }
      const { response, token } = sent
      if (response.status === 401 && token && !refreshed && isTokenSource(config.accessToken)) {
        refreshed = true
        await discard(response)
        await config.accessToken.refresh(token)
        continue
      }
      const plan =
        retries && attemptIndex < retries.limit ? await planFor(response, config, retries, attemptIndex) : undefined
      if (!plan) return response

      await discard(response)
      await pause(plan, response.status)
    }
  }
}
