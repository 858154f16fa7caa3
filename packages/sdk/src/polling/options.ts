/** How a wait paces its polls. Every field is optional; the client's `polling` option sets the defaults. */
export interface PollingOptions {
  /** Give up after this many milliseconds, measured from the start of the wait. Default 900000 (15 min). */
  timeoutMs?: number
  /** Delay before the second poll, in milliseconds; the first is sent at once. Default 500. */
  initialDelayMs?: number
  /** Longest delay between two polls, in milliseconds. Default 15000. */
  maxDelayMs?: number
  /** Each delay is the previous one times this. Default 1.6. */
  multiplier?: number
  /** Fraction of each delay drawn at random, so many waits spread out: 0 = none, 1 = full. Default 0.2. */
  jitter?: number
}

/** Polling options with every field set, as in {@link DEFAULT_POLLING}. */
export type ResolvedPollingOptions = Required<PollingOptions>

/** The built-in pacing of a wait: give up after 15 min; delays from 500 ms, times 1.6, up to 15 s; 20% jitter. */
export const DEFAULT_POLLING: Readonly<ResolvedPollingOptions> = Object.freeze({
  timeoutMs: 15 * 60_000,
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  multiplier: 1.6,
  jitter: 0.2,
})

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function checkNumber(name: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describe(value)}`)
  if (Number.isNaN(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`
    throw new RangeError(`${name} must be ${range}, got ${describe(value)}`)
  }
  return value
}

/** Merges overrides onto defaults and checks every value, naming the option that is wrong. */
export function resolvePollingOptions(
  base: ResolvedPollingOptions,
  overrides: PollingOptions | undefined,
  label = 'polling',
): ResolvedPollingOptions {
  if (overrides !== undefined && (overrides === null || typeof overrides !== 'object')) {
    throw new TypeError(`${label} options must be an object, got ${describe(overrides)}`)
  }
  const keys = Object.keys(DEFAULT_POLLING) as (keyof PollingOptions)[]
  // The common case, a wait with no pacing options of its own, shares the client's already-checked object.
  if (!overrides || keys.every((key) => overrides[key] === undefined)) return base
  const merged: ResolvedPollingOptions = { ...base }
  for (const key of keys) {
    const value = overrides[key]
    if (value !== undefined) merged[key] = value
  }
  checkNumber('timeoutMs', merged.timeoutMs, 0)
  checkNumber('initialDelayMs', merged.initialDelayMs, 0)
  checkNumber('maxDelayMs', merged.maxDelayMs, 0)
  checkNumber('multiplier', merged.multiplier, 1)
  checkNumber('jitter', merged.jitter, 0, 1)
  if (!Number.isFinite(merged.initialDelayMs)) {
    throw new RangeError(`initialDelayMs must be finite, got ${merged.initialDelayMs}`)
  }
  if (!Number.isFinite(merged.multiplier)) throw new RangeError(`multiplier must be finite, got ${merged.multiplier}`)
  if (merged.maxDelayMs < merged.initialDelayMs) {
    throw new RangeError(
      `maxDelayMs must be >= initialDelayMs, got maxDelayMs ${merged.maxDelayMs} < initialDelayMs ${merged.initialDelayMs}`,
    )
  }
  return merged
}

/**
 * The delay before poll number `attempt + 1` (attempt 0 is the first retry), before any ETA adjustment.
 * Jitter only shortens a delay, so `maxDelayMs` is a true ceiling and many waits still spread out.
 */
export function backoffDelayMs(options: ResolvedPollingOptions, attempt: number, random: () => number): number {
  // 0 × multiplier^n is NaN once the power overflows; a zero initial delay stays zero.
  const grown = options.initialDelayMs === 0 ? 0 : options.initialDelayMs * options.multiplier ** attempt
  const capped = Math.min(options.maxDelayMs, grown)
  return capped * (1 - options.jitter * random())
}
