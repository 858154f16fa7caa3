/**
 * A prototype of a leaner request path for the poll loop, to measure how much of the SDK's overhead over bare fetch a
 * dedicated `GET /tasks/{task}` would win back. It keeps what a poll needs: path validation, the bearer token and
 * User-Agent, a per-request timeout linked to the caller's signal, rate-limit bookkeeping and typed errors. It drops
 * what a poll does not: the Request objects built and rebuilt on the way to fetch, header merging, middleware, and
 * reading the body more than once.
 */
import type { Task } from '@flat-api/raw'
import { encodePathParam } from '@flat-api/raw'
import {
  createApiError,
  FlatConnectionError,
  FlatMalformedResponseError,
  FlatTimeoutError,
  readRateLimit,
} from '@flat-api/sdk'

export interface LeanTaskGetterOptions {
  baseUrl: string
  accessToken: string
  userAgent?: string
  /** Per-request timeout. Default 30000. */
  timeoutMs?: number
  fetch?: (input: string, init: RequestInit) => Promise<Response>
  /** Sees the rate-limit headers of every response, as the client's scheduler does. Default: none. */
  onRateLimit?: (remaining: number | undefined, resetAt: Date | undefined) => void
}

const TARGET = { method: 'GET', path: '/tasks/{task}' }

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export function createLeanTaskGetter(
  options: LeanTaskGetterOptions,
): (id: string, signal?: AbortSignal) => Promise<Task> {
  const root = options.baseUrl.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 30_000
  const send = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init))
  // Built once: a poll always goes to the API root, so the token always belongs on it.
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${options.accessToken}`,
    'User-Agent': options.userAgent ?? 'flat-api-sdk-lean',
  }

  return async (id, signal) => {
    const url = `${root}/tasks/${encodePathParam('task', id)}`
    if (signal?.aborted) throw signal.reason
    const controller = new AbortController()
    const onAbort = (): void => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    const timer = setTimeout(() => controller.abort(new FlatTimeoutError(TARGET, timeoutMs)), timeoutMs)
    try {
      let response: Response
      let text: string
      try {
        // A task poll never redirects; one that does is an error, not something to follow with the token.
        response = await send(url, { headers, signal: controller.signal, redirect: 'manual' })
        text = await response.text()
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason
        throw new FlatConnectionError(TARGET, error)
      }
      if (options.onRateLimit) {
        const { remaining, resetAt } = readRateLimit(response.headers)
        options.onRateLimit(remaining, resetAt)
      }
      if (!response.ok) throw createApiError(TARGET, response, parseBody(text))
      try {
        return JSON.parse(text) as Task
      } catch (error) {
        throw new FlatMalformedResponseError(TARGET, response.status, error)
      }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}
