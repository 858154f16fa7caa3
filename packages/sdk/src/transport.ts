import type { Middleware } from 'openapi-fetch'
import { FlatConnectionError, FlatTimeoutError, type RequestTarget } from './errors.js'
import { type Clock, linkAbort } from './polling/clock.js'

export type FetchLike = (input: Request) => Promise<Response>

/** A bearer token, or a function that returns the current one (so a refresh can plug in). */
export type AccessToken = string | (() => string | Promise<string>)

export interface TransportConfig {
  baseUrl: URL
  accessToken: AccessToken | undefined
  userAgent: string
  timeoutMs: number
  fetch: FetchLike
  clock: Clock
}

/** Per-request settings; a helper passes `createTransportFetch(config, settings)` as that call's `fetch`. */
export interface RequestSettings {
  /** Overrides the client's per-request timeout (a long poll must outlive its server-side wait). */
  timeoutMs?: number
}

const targets = new WeakMap<Request, RequestTarget>()

function assertHeaderSafe(value: string): void {
  // Checked here rather than left to fetch, whose error would quote the secret.
  if (/[\r\n\0]/.test(value)) throw new TypeError('accessToken must not contain CR, LF or NUL characters')
}

async function resolveToken(token: AccessToken | undefined): Promise<string | undefined> {
  const value = typeof token === 'function' ? await token() : token
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length === 0) throw new TypeError('accessToken must be a non-empty string')
  assertHeaderSafe(value)
  return value
}

/**
 * Adds the bearer token (only for the API's own origin) and the User-Agent, and remembers which operation each
 * request belongs to so failures can name the path template rather than a filled URL.
 */
export function createFlatMiddleware(config: TransportConfig): Middleware {
  return {
    async onRequest({ request, schemaPath }) {
      const headers = new Headers(request.headers)
      const url = new URL(request.url)
      if (url.origin === config.baseUrl.origin) {
        const token = await resolveToken(config.accessToken)
        if (token) headers.set('Authorization', `Bearer ${token}`)
      } else {
        headers.delete('Authorization')
      }
      headers.set('User-Agent', config.userAgent)
      const next = new Request(request, { headers })
      targets.set(next, { method: request.method, path: schemaPath })
      return next
    },
  }
}

function targetOf(request: Request): RequestTarget {
  return targets.get(request) ?? { method: request.method, path: new URL(request.url).pathname }
}

/**
 * The fetch openapi-fetch calls: applies the per-request timeout and turns transport failures into typed errors.
 * A caller's abort surfaces as the signal's reason, as fetch itself does.
 */
export function createTransportFetch(config: TransportConfig, settings: RequestSettings = {}): FetchLike {
  const timeoutMs = settings.timeoutMs ?? config.timeoutMs
  return async (request) => {
    const target = targetOf(request)
    // Linked by hand rather than AbortSignal.any, which keeps every parent alive in Node 20.
    const controller = new AbortController()
    const unlink = linkAbort(request.signal, controller)
    const timer = Number.isFinite(timeoutMs)
      ? config.clock.setTimeout(() => controller.abort(new FlatTimeoutError(target, timeoutMs)), timeoutMs)
      : undefined
    try {
      const sent = config.fetch(new Request(request, { signal: controller.signal }))
      config.clock.track?.(sent)
      return await sent
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason
      if (controller.signal.aborted) throw controller.signal.reason
      throw new FlatConnectionError(target, error)
    } finally {
      if (timer !== undefined) config.clock.clearTimeout(timer)
      unlink()
    }
  }
}
