export interface RateLimitOptions {
  /** Requests allowed per window and token. Default 7200, Flat's hourly budget. */
  limit?: number
  /** Window length in milliseconds; a window starts at a token's first request. Default 3,600,000. */
  windowMs?: number
}

export interface RateLimitWindow {
  /** The bearer token (or `anonymous`) the window counts. */
  key: string
  startedAt: number
  /** Window end, epoch milliseconds; `X-RateLimit-Reset` is this rounded up to seconds. */
  endsAt: number
  requests: number
  /** Requests over the limit, answered 403. */
  rejected: number
}

export interface RateLimitStats {
  /** False unless the simulator runs with a `rateLimit` object: then nothing is refused, counting goes on. */
  readonly enabled: boolean
  readonly limit: number
  readonly windowMs: number
  /** Every window opened so far, oldest first. */
  readonly windows: readonly RateLimitWindow[]
  /** Most requests counted within one second of the simulator clock, all tokens together. */
  readonly peakPerSecond: number
  /** Requests answered 403 `API_RATE_LIMIT_EXCEEDED` by the limiter (injected faults not included). */
  readonly rejected: number
  /** Requests counted in `key`'s current window; 0 when none is open. */
  requestsInWindow(key: string): number
}

export interface RateLimitVerdict {
  limit: number
  remaining: number
  /** `X-RateLimit-Reset`: window end in UTC epoch seconds. */
  resetSec: number
  exceeded: boolean
}

const DEFAULT_RATE_LIMIT = 7200
const DEFAULT_RATE_WINDOW_MS = 3_600_000

/** Fixed windows per token, counting every request, refused ones included, as Flat does. */
export class RateLimiter implements RateLimitStats {
  readonly enabled: boolean
  readonly limit: number
  readonly windowMs: number
  readonly windows: RateLimitWindow[] = []
  peakPerSecond = 0
  rejected = 0
  private readonly current = new Map<string, RateLimitWindow>()
  private second = -1
  private inSecond = 0

  constructor(
    options: RateLimitOptions | false | undefined,
    private readonly now: () => number,
  ) {
    this.enabled = options !== undefined && options !== false
    this.limit = (options ? options.limit : undefined) ?? DEFAULT_RATE_LIMIT
    this.windowMs = (options ? options.windowMs : undefined) ?? DEFAULT_RATE_WINDOW_MS
    if (!(this.limit >= 1)) throw new RangeError(`rateLimit.limit must be >= 1, got ${this.limit}`)
    if (!(this.windowMs >= 1)) throw new RangeError(`rateLimit.windowMs must be >= 1, got ${this.windowMs}`)
  }

  /** Counts one request for `key`. */
  hit(key: string): RateLimitVerdict {
    const at = this.now()
    const second = Math.floor(at / 1000)
    if (second !== this.second) {
      this.second = second
      this.inSecond = 0
    }
    this.inSecond += 1
    if (this.inSecond > this.peakPerSecond) this.peakPerSecond = this.inSecond

    let window = this.current.get(key)
    if (!window || at >= window.endsAt) {
      window = { key, startedAt: at, endsAt: at + this.windowMs, requests: 0, rejected: 0 }
      this.current.set(key, window)
      this.windows.push(window)
    }
    window.requests += 1
    const exceeded = this.enabled && window.requests > this.limit
    if (exceeded) {
      window.rejected += 1
      this.rejected += 1
    }
    return {
      limit: this.limit,
      remaining: this.limit - window.requests,
      resetSec: Math.ceil(window.endsAt / 1000),
      exceeded,
    }
  }

  requestsInWindow(key: string): number {
    const window = this.current.get(key)
    return window && this.now() < window.endsAt ? window.requests : 0
  }
}
