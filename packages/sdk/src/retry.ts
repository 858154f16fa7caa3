import { readRateLimit } from './errors.js'

/**
 * How the client re-sends a request that failed for a reason that may pass. Only idempotent methods (GET, HEAD, PUT,
 * DELETE, OPTIONS) are re-sent; POST and PATCH never are.
 */
export interface RetryOptions {
  /** Retries after the first attempt, so at most `limit + 1` sends. Default 3. */
  limit?: number
  /** Upper bound of the first backoff delay, in milliseconds; each retry doubles it. Default 500. */
  initialDelayMs?: number
  /** Upper bound of any backoff delay, in milliseconds. Default 8000. */
  maxDelayMs?: number
  /**
   * Longest wait for a rate-limit reset (`X-RateLimit-Reset`) or a `Retry-After`, in milliseconds; a reset further
   * away fails at once with `FlatRateLimitError`. Default 60000.
   */
  maxRateLimitWaitMs?: number
}

/** Retry options with every field set, as in {@link DEFAULT_RETRY}. */
export type ResolvedRetryOptions = Required<RetryOptions>

/** The built-in retries: 3, with backoff from 500 ms up to 8 s, waiting up to 60 s for a rate-limit reset. */
export const DEFAULT_RETRY: Readonly<ResolvedRetryOptions> = Object.freeze({
  limit: 3,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRateLimitWaitMs: 60_000,
})

/** Methods a server may receive twice without a second effect. POST and PATCH are never re-sent. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

/** Statuses that say the server, not the request, failed. 501 and 505 will not change on a retry. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504])

/** Lands the retry just inside the new window: the reset is whole seconds and clocks drift. */
const RESET_MARGIN_MS = 250

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function checkCount(name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`retry.${name} must be a number, got ${describe(value)}`)

  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`retry.${name} must be a non-negative integer, got ${describe(value)}`)
  }
}

function checkDelay(name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`retry.${name} must be a number, got ${describe(value)}`)

  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`retry.${name} must be a finite number of milliseconds >= 0, got ${describe(value)}`)
  }
}

/** Checks the `retry` option and fills in the defaults; `false` turns retries off. */
export function resolveRetryOptions(value: unknown): Readonly<ResolvedRetryOptions> | false {
  if (value === false) return false
  if (value === undefined || value === true) return DEFAULT_RETRY

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`retry must be false or an object, got ${describe(value)}`)
  }
  const merged = { ...DEFAULT_RETRY }
  for (const key of Object.keys(DEFAULT_RETRY) as (keyof RetryOptions)[]) {
    const option = (value as RetryOptions)[key]
    if (option !== undefined) merged[key] = option
  }
  checkCount('limit', merged.limit)
  checkDelay('initialDelayMs', merged.initialDelayMs)
  checkDelay('maxDelayMs', merged.maxDelayMs)
  checkDelay('maxRateLimitWaitMs', merged.maxRateLimitWaitMs)
  if (merged.maxDelayMs < merged.initialDelayMs) {
    throw new RangeError(
      `retry.maxDelayMs must be >= retry.initialDelayMs, got ${merged.maxDelayMs} < ${merged.initialDelayMs}`,
    )
  }
  return merged
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, initialDelayMs * 2^attempt)). */
export function backoffMs(options: ResolvedRetryOptions, attempt: number, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt)
  return ceiling * random()
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined

  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10) * 1000

  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - nowMs)
}

export type RetryReason = 'rate-limit' | 'server-error' | 'network'

export interface RetryPlan {
  reason: RetryReason
  delayMs: number
}

/**
 * Whether and when to re-send after a 403 `API_RATE_LIMIT_EXCEEDED`: at the reset when it lies ahead and within the
 * cap; with a backoff that never drops below `initialDelayMs` when the reset is missing, past or unreadable (so a
 * skewed clock cannot cause a tight loop); not at all when the reset is further than the cap.
 */
export function rateLimitDelayMs(
  headers: Headers,
  options: ResolvedRetryOptions,
  attempt: number,
  nowMs: number,
  random: () => number,
): number | undefined {
  const { resetAt } = readRateLimit(headers)
  const untilResetMs = resetAt ? resetAt.getTime() - nowMs : Number.NaN
  if (Number.isFinite(untilResetMs) && untilResetMs > 0) {
    const waitMs = untilResetMs + RESET_MARGIN_MS
    return waitMs <= options.maxRateLimitWaitMs ? waitMs : undefined
  }
  return Math.max(options.initialDelayMs, backoffMs(options, attempt, random))
}

/** Whether a status is worth another attempt of an idempotent request (the rate limit is handled apart). */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status)
}

/** The delay for a retryable 5xx: the server's `Retry-After` when it gives one within the cap, else backoff. */
export function serverErrorDelayMs(
  headers: Headers,
  options: ResolvedRetryOptions,
  attempt: number,
  nowMs: number,
  random: () => number,
): number | undefined {
  const retryAfterMs = parseRetryAfterMs(headers.get('retry-after'), nowMs)
  if (retryAfterMs === undefined) return backoffMs(options, attempt, random)
  return retryAfterMs <= options.maxRateLimitWaitMs ? retryAfterMs : undefined
}
