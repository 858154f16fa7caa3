/**
 * Many concurrent waits on one client with Flat's default budget (7,200 requests/hour), in two phases.
 *
 * Phase A runs in real time for a short window with every wait pending: heap per waiter (after a full GC), event-loop
 * lag, and the request rate with no clock acceleration at all. Then every wait is aborted.
 *
 * Phase B runs the same workload to completion on an accelerated clock shared by the simulator and the client. The
 * peak rate is measured where the client sends: a wrapped fetch records the clock at each call. The scheduler spaces
 * grants on that same clock and the fetch is called a few microtasks after the grant, so client-side timestamps carry
 * only that short path's error times the speed; arrivals at the server add the request's transit and queueing times
 * the speed, which is why a server-side peak at speed N reads high. The gaps between consecutive sends show the error:
 * the scheduler never grants two slots less than 500 ms (virtual) apart, so a gap below that is measurement error, and
 * a gap above it with waiters queued is a timer that fired late (which lowers the rate, never raises it).
 */
import { setMaxListeners } from 'node:events'
import { parseArgs } from 'node:util'
import { createFlatClient, type FetchLike, FLAT_REQUESTS_PER_HOUR } from '@flat-api/sdk'
import { startSimulator } from '@flat-api/simulator'
import { acceleratedClock } from './clock.js'
import { guardedFetch } from './guard.js'
import { collectGarbage, type LoopDelayFigures, percentiles, round, watchEventLoop } from './measure.js'
import { mulberry32, percentile } from './stats.js'

export interface ScaleOptions {
  waiters: number
  /** Clock speed of phase B. */
  speed: number
  /** Length of phase A, in real seconds. */
  realTimeSeconds: number
  seed: number
}

export const SCALE_FULL: ScaleOptions = { waiters: 10_000, speed: 50, realTimeSeconds: 20, seed: 7 }
export const SCALE_QUICK: ScaleOptions = { waiters: 1000, speed: 50, realTimeSeconds: 4, seed: 7 }

export interface WindowPeaks {
  /** Most sends in any 1 s window, then any 60 s and any 3600 s window (half-open, sliding). */
  perSecond: number
  perMinute: number
  perHour: number
}

export interface ScaleResult {
  options: ScaleOptions
  budget: { perHour: number; perSecond: number; perMinute: number }
  realTime: {
    seconds: number
    /** Time to call `tasks.wait` for every task in one synchronous loop. */
    setupMs: number
    /** From the first grant (inside the setup loop) to the first send, which waits for the loop to end. */
    firstSendAfterMs: number
    heapBytesPerWaiter: number
    pendingWhenMeasured: number
    /** Over the window after setup and the heap measurement, every wait pending. */
    eventLoop: LoopDelayFigures
    requests: number
    meanPerSecond: number
    clientPeaks: WindowPeaks
    abortedAll: boolean
  }
  accelerated: {
    virtualSeconds: number
    realSeconds: number
    requests: number
    requestsPerTask: number
    meanPerSecond: number
    clientPeaks: WindowPeaks
    /** Gaps between consecutive client sends while waiters were queued, in virtual ms. */
    sendGapMs: { min: number; p50: number; p99: number; belowSlot: number }
    serverPeaks: WindowPeaks
    /** The simulator's own count of the busiest calendar second. */
    serverPeakPerCalendarSecond: number
    rejectedByServer: number
    heapBytesPerWaiter: number
    eventLoop: LoopDelayFigures
    doneToResolvedMs: { p50: number; p90: number; p99: number }
    outcomes: Record<string, number>
  }
}

/** Most timestamps within any half-open window of `windowMs`; `times` ascending. */
export function peakPerWindow(times: readonly number[], windowMs: number): number {
  let peak = 0
  let start = 0
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start += 1
    peak = Math.max(peak, end - start + 1)
  }
  return peak
}

function peaks(times: readonly number[]): WindowPeaks {
  return {
    perSecond: peakPerWindow(times, 1000),
    perMinute: peakPerWindow(times, 60_000),
    perHour: peakPerWindow(times, 3_600_000),
  }
}

/** Seconds to minutes, as exports and imports run; a third report no percent. */
function drawTasks(waiters: number, seed: number): { durationMs: number; reportsPercent: boolean }[] {
  const random = mulberry32(seed)
  return Array.from({ length: waiters }, (_, i) => ({
    durationMs: 20_000 + Math.floor(random() ** 2 * 580_000),
    reportsPercent: i % 3 !== 0,
  }))
}

function heapUsed(): number {
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
}

async function realTimePhase(options: ScaleOptions, log: (line: string) => void): Promise<ScaleResult['realTime']> {
  const sim = await startSimulator({ port: 0, logRequests: false, rateLimit: {} })
  const plans = drawTasks(options.waiters, options.seed)
  // Long enough that nothing finishes inside the window.
  const ids = plans.map((plan) => sim.addTask({ ...plan, durationMs: plan.durationMs + 3_600_000 }).id)
  const send = guardedFetch(sim.url)
  const sentAt: number[] = []
  const recording = (input: Request) => {
    sentAt.push(performance.now())
    return send(input)
  }
  const flat = createFlatClient({
    accessToken: 'bench-token',
    baseUrl: sim.baseUrl,
    fetch: recording as FetchLike,
    polling: { timeoutMs: 24 * 3_600_000 },
  })
  const controller = new AbortController()
  // One signal for every wait, as an app cancelling a batch would do.
  setMaxListeners(0, controller.signal)
  const heapBefore = heapUsed()
  let settled = 0
  const setupStartedAt = performance.now()
  const waits = ids.map((id) =>
    flat.tasks.wait(id, { signal: controller.signal }).then(
      () => {
        settled += 1
      },
      () => {
        settled += 1
      },
    ),
  )
  const setupMs = performance.now() - setupStartedAt
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const heapDuring = heapUsed()
  const pendingWhenMeasured = ids.length - settled
  log(`  real time: ${pendingWhenMeasured} waits pending, ${Math.round((heapDuring - heapBefore) / ids.length)} B each`)
  // The forced collections above would show as lag; the window starts after them.
  const loop = watchEventLoop()
  const windowStartedAt = performance.now()
  await new Promise((resolve) => setTimeout(resolve, options.realTimeSeconds * 1000))
  const eventLoop = loop.stop()
  const seconds = (performance.now() - setupStartedAt) / 1000
  const requests = sentAt.length
  controller.abort(new Error('benchmark window over'))
  await Promise.all(waits)
  await sim.close()
  log(`  real time: lag p99 ${eventLoop.p99LagMs} ms over ${round((performance.now() - windowStartedAt) / 1000, 1)} s`)
  return {
    seconds: round(seconds, 1),
    setupMs: round(setupMs, 1),
    firstSendAfterMs: round((sentAt[0] ?? Number.NaN) - setupStartedAt, 1),
    heapBytesPerWaiter: Math.round((heapDuring - heapBefore) / ids.length),
    pendingWhenMeasured,
    eventLoop,
    requests,
    meanPerSecond: round(requests / seconds),
    clientPeaks: peaks(sentAt),
    abortedAll: settled === ids.length,
  }
}

async function acceleratedPhase(
  options: ScaleOptions,
  log: (line: string) => void,
): Promise<ScaleResult['accelerated']> {
  const clock = acceleratedClock(options.speed)
  const sim = await startSimulator({ port: 0, now: () => clock.now(), rateLimit: {} })
  const plans = drawTasks(options.waiters, options.seed)
  const doneAt = new Map<string, number>()
  const ids = plans.map((plan) => {
    const task = sim.addTask(plan)
    doneAt.set(task.id, Date.parse(task.creationDate ?? '') + plan.durationMs)
    return task.id
  })
  const send = guardedFetch(sim.url)
  const sentAt: number[] = []
  const queuedAt: boolean[] = []
  let pending = ids.length
  const recording = (input: Request) => {
    sentAt.push(clock.now())
    // Gaps only count while more waiters queue than one: then the scheduler, not demand, sets the pace.
    queuedAt.push(pending > 1)
    return send(input)
  }
  const flat = createFlatClient({
    accessToken: 'bench-token',
    baseUrl: sim.baseUrl,
    clock,
    fetch: recording as FetchLike,
    random: mulberry32(options.seed + 1),
    // Virtual time: an hour is 3600 / speed real seconds, ample for one request on a busy machine.
    timeoutMs: 3_600_000,
    polling: { timeoutMs: 7 * 24 * 3_600_000 },
  })
  const heapBefore = heapUsed()
  const startedAt = clock.now()
  const realStartedAt = performance.now()
  const resolvedAt = new Map<string, number>()
  const outcomes: Record<string, number> = {}
  const waits = ids.map((id) =>
    flat.tasks.wait(id).then(
      (task) => {
        resolvedAt.set(id, clock.now())
        outcomes[task.state] = (outcomes[task.state] ?? 0) + 1
        pending -= 1
      },
      (error: Error) => {
        outcomes[error.name] = (outcomes[error.name] ?? 0) + 1
        pending -= 1
      },
    ),
  )
  await new Promise((resolve) => setTimeout(resolve, 200))
  const heapDuring = heapUsed()
  const loop = watchEventLoop()
  const progress = setInterval(() => {
    log(`  accelerated: ${ids.length - pending}/${ids.length} resolved, ${sentAt.length} requests`)
  }, 15_000)
  await Promise.all(waits)
  clearInterval(progress)
  const eventLoop = loop.stop()
  const finishedAt = clock.now()
  const realSeconds = (performance.now() - realStartedAt) / 1000

  const gaps: number[] = []
  for (let i = 1; i < sentAt.length; i += 1) {
    if (queuedAt[i]) gaps.push((sentAt[i] as number) - (sentAt[i - 1] as number))
  }
  const slotMs = 3_600_000 / FLAT_REQUESTS_PER_HOUR
  const [gap50, gap99] = percentiles(gaps, [50, 99]) as [number, number]
  const arrivals = sim.requests.filter((r) => r.url.startsWith('/v2/tasks/')).map((r) => r.at)
  arrivals.sort((a, b) => a - b)
  const delays = ids
    .filter((id) => resolvedAt.has(id))
    .map((id) => (resolvedAt.get(id) as number) - (doneAt.get(id) as number))
    .sort((a, b) => a - b)
  const virtualSeconds = (finishedAt - startedAt) / 1000
  const result: ScaleResult['accelerated'] = {
    virtualSeconds: round(virtualSeconds, 0),
    realSeconds: round(realSeconds, 1),
    requests: sentAt.length,
    requestsPerTask: round(sentAt.length / ids.length, 2),
    meanPerSecond: round(sentAt.length / virtualSeconds),
    clientPeaks: peaks(sentAt),
    sendGapMs: {
      min: round(Math.min(...gaps), 1),
      p50: round(gap50, 1),
      p99: round(gap99, 1),
      belowSlot: gaps.filter((gap) => gap < slotMs).length,
    },
    serverPeaks: peaks(arrivals),
    serverPeakPerCalendarSecond: sim.rateLimit.peakPerSecond,
    rejectedByServer: sim.rateLimit.rejected,
    heapBytesPerWaiter: Math.round((heapDuring - heapBefore) / ids.length),
    eventLoop,
    doneToResolvedMs: {
      p50: round(percentile(delays, 50), 0),
      p90: round(percentile(delays, 90), 0),
      p99: round(percentile(delays, 99), 0),
    },
    outcomes,
  }
  await sim.close()
  return result
}

export async function runScale(options: ScaleOptions, log: (line: string) => void = () => {}): Promise<ScaleResult> {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc to measure heap per waiter')
  const realTime = await realTimePhase(options, log)
  const accelerated = await acceleratedPhase(options, log)
  return {
    options,
    budget: {
      perHour: FLAT_REQUESTS_PER_HOUR,
      perSecond: FLAT_REQUESTS_PER_HOUR / 3600,
      perMinute: FLAT_REQUESTS_PER_HOUR / 60,
    },
    realTime,
    accelerated,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      waiters: { type: 'string', default: String(SCALE_FULL.waiters) },
      speed: { type: 'string', default: String(SCALE_FULL.speed) },
      seconds: { type: 'string', default: String(SCALE_FULL.realTimeSeconds) },
    },
  })
  const result = await runScale(
    {
      ...SCALE_FULL,
      waiters: Number(values.waiters),
      speed: Number(values.speed),
      realTimeSeconds: Number(values.seconds),
    },
    console.log,
  )
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
