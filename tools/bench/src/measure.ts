/** Closed-loop request runners and the small statistics every scenario reports. */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { percentile } from './stats.js'

export interface LoopResult {
  requests: number
  elapsedMs: number
  /** CPU time of this process (user + system) over the loop. */
  cpuUs: number
  latenciesMs: number[]
}

/**
 * Sends `requests` calls with `concurrency` in flight at any time, each worker starting its next call as soon as its
 * previous one settles. Stops early after `maxMs`, so a loop is bounded in both count and time.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  options: { requests: number; concurrency: number; maxMs: number },
): Promise<LoopResult> {
  const latenciesMs: number[] = []
  let issued = 0
  const startedAt = performance.now()
  const deadline = startedAt + options.maxMs
  const cpuBefore = process.cpuUsage()
  const worker = async (): Promise<void> => {
    while (issued < options.requests && performance.now() < deadline) {
      issued += 1
      const sentAt = performance.now()
      await call()
      latenciesMs.push(performance.now() - sentAt)
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const elapsedMs = performance.now() - startedAt
  const cpu = process.cpuUsage(cpuBefore)
  return { requests: latenciesMs.length, elapsedMs, cpuUs: cpu.user + cpu.system, latenciesMs }
}

export interface Spread {
  median: number
  /** Quartiles (nearest rank): half the rounds fall between them. */
  q1: number
  q3: number
  min: number
  max: number
}

export function spread(values: readonly number[], digits = 3): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    median: round(median(sorted), digits),
    q1: round(percentile(sorted, 25), digits),
    q3: round(percentile(sorted, 75), digits),
    min: round(sorted[0] ?? Number.NaN, digits),
    max: round(sorted.at(-1) ?? Number.NaN, digits),
  }
}

/** Median of any array (sorted or not); the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length
}

/** Percentiles of an unsorted sample. */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort()
  return ps.map((p) => percentile(sorted as unknown as number[], p))
}

/**
 * The order contenders run in round `round`: rotated by one each round and reversed every other round, so each runs
 * early and late, before and after each other, and slow drift of the machine cancels out of the ratios.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length
  const rotated = [...items.slice(shift), ...items.slice(0, shift)]
  return round % 2 === 1 ? rotated.reverse() : rotated
}

export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export interface LoopDelayFigures {
  /** p99 of the lag beyond the sampling interval, in ms: how late a timer due now would run. */
  p99LagMs: number
  maxLagMs: number
  /** p99 as perf_hooks reports it, which includes the sampling interval itself. */
  p99RawMs: number
  samples: number
}

const LOOP_SAMPLE_MS = 10

/**
 * Watches the event loop with `monitorEventLoopDelay`. Its histogram holds the time between samples, so each value
 * includes the sampling interval; the lag reported is what lies beyond it.
 */
export function watchEventLoop(): { stop(): LoopDelayFigures } {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS })
  histogram.enable()
  return {
    stop() {
      histogram.disable()
      const toMs = (ns: number) => ns / 1e6
      return {
        p99LagMs: round(Math.max(0, toMs(histogram.percentile(99)) - LOOP_SAMPLE_MS), 2),
        maxLagMs: round(Math.max(0, toMs(histogram.max) - LOOP_SAMPLE_MS), 2),
        p99RawMs: round(toMs(histogram.percentile(99)), 2),
        samples: histogram.count,
      }
    },
  }
}
