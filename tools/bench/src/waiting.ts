/**
 * Waiting: the same set of tasks (completion times drawn from a fixed seed, seconds to minutes, half reporting
 * percent linearly) waited for by each contender at once, on one accelerated clock shared by the simulator and every
 * client: our engine, our engine with the ETA taken away (percent stripped from every response, so it is plain
 * exponential backoff with the same initial delay, multiplier and ceiling), and fixed-interval loops. Per contender:
 * requests per task and the delay between the task being done (known from its plan) and the wait resolving.
 *
 * Pacing is off here (`requestsPerHour: Infinity`): this measures how each strategy trades requests for delay per
 * task; sharing the budget is the scale scenario's subject. All contenders run concurrently, so the machine's noise
 * lands on all of them alike.
 */
import { createRawClient } from '@flat-api/raw'
import { createFlatClient, type FetchLike } from '@flat-api/sdk'
import { startSimulator } from '@flat-api/simulator'
import { acceleratedClock } from './clock.js'
import { guardedFetch } from './guard.js'
import { type LoopDelayFigures, mean, percentiles, round, watchEventLoop } from './measure.js'
import { mulberry32 } from './stats.js'

export interface WaitingOptions {
  /** Rounds with a fresh draw each (seed, seed + 1, …), pooled: the median of a two-humped mix needs many tasks. */
  rounds: number
  /** Tasks per round. */
  tasks: number
  /** Clock speed: virtual milliseconds per real millisecond. */
  speed: number
  seed: number
  minDurationMs: number
  maxDurationMs: number
  /** Share of tasks that report `progress.percent`. */
  percentShare: number
  intervalsMs: number[]
}

export const WAITING_FULL: WaitingOptions = {
  rounds: 2,
  tasks: 120,
  speed: 10,
  seed: 11,
  minDurationMs: 3_000,
  maxDurationMs: 300_000,
  percentShare: 0.5,
  intervalsMs: [1000, 2000, 3000, 5000, 8000, 13_000, 20_000],
}

export const WAITING_QUICK: WaitingOptions = {
  ...WAITING_FULL,
  rounds: 1,
  tasks: 16,
  speed: 20,
  maxDurationMs: 120_000,
  intervalsMs: [1000, 2000, 5000, 13_000],
}

export interface DelayFigures {
  tasks: number
  requestsPerTask: number
  delayMs: { p50: number; p90: number; mean: number }
}

export interface ContenderFigures extends DelayFigures {
  kind: 'engine' | 'engine-no-eta' | 'engine-variant' | 'fixed'
  intervalMs?: number
  reportsPercent: DelayFigures
  silent: DelayFigures
}

export interface EqualRequestComparison {
  /** Requests per task of the contender compared. */
  requestsPerTask: number
  /** Its median done-to-resolved delay. */
  delayP50Ms: number
  /** The fixed-interval curve's median delay at that request count (log-log interpolation). */
  fixedDelayP50Ms: number
  /** True when that request count lies outside the measured intervals and the curve was extended. */
  extrapolated: boolean
  ratio: number
}

export interface WaitingResult {
  options: WaitingOptions
  contenders: Record<string, ContenderFigures>
  /** Our engine (and the no-ETA variant) against the fixed-interval curve at the same requests per task. */
  atEqualRequests: {
    engine: EqualRequestComparison
    engineNoEta: EqualRequestComparison
    /** The engine on each half of the workload, against the fixed-interval curve of the same half. */
    engineReportsPercent: EqualRequestComparison
    engineSilent: EqualRequestComparison
    /** The GENTLE variant, all tasks and the silent half. */
    gentle: EqualRequestComparison
    gentleSilent: EqualRequestComparison
  }
  /** The engine's ratio at equal requests in each round on its own, to show how much a draw moves it. */
  engineRatioByRound: number[]
  /** Event-loop lag of the worst round (real ms), and what its p99 means in virtual time at this speed. */
  timing: { eventLoop: LoopDelayFigures; virtualErrorMs: number; realSeconds: number }
  outcomes: Record<string, number>
}

/**
 * One candidate for tasks that report no percent, through public options only: slower growth and a lower ceiling.
 * Reported beside the default engine, never in its place.
 */
export const GENTLE = { name: 'sdk-gentle', polling: { multiplier: 1.3, maxDelayMs: 8000 } } as const

interface Plan {
  durationMs: number
  reportsPercent: boolean
}

interface Outcome {
  plan: Plan
  requests: number
  delayMs: number
}

const TERMINAL = new Set(['done', 'error', 'canceled'])

/** Completion times log-uniform between the bounds; every task's percent (when it reports one) rises linearly. */
export function drawPlans(options: WaitingOptions): Plan[] {
  const random = mulberry32(options.seed)
  const low = Math.log(options.minDurationMs)
  const high = Math.log(options.maxDurationMs)
  return Array.from({ length: options.tasks }, () => ({
    durationMs: Math.round(Math.exp(low + random() * (high - low))),
    reportsPercent: random() < options.percentShare,
  }))
}

function delayFigures(outcomes: Outcome[]): DelayFigures {
  const delays = outcomes.map((o) => o.delayMs)
  const [p50, p90] = percentiles(delays, [50, 90]) as [number, number]
  return {
    tasks: outcomes.length,
    requestsPerTask: round(mean(outcomes.map((o) => o.requests)), 2),
    delayMs: { p50: round(p50, 0), p90: round(p90, 0), mean: round(mean(delays), 0) },
  }
}

/**
 * The fixed-interval curve's median delay at `requestsPerTask`, interpolated linearly in log-log space between the
 * two nearest measured intervals (delay falls roughly as 1 / requests), or extended from the nearest two.
 */
export function interpolateFixed(
  points: readonly { requestsPerTask: number; delayP50Ms: number }[],
  requestsPerTask: number,
): { delayP50Ms: number; extrapolated: boolean } {
  const sorted = [...points].filter((p) => p.requestsPerTask > 0 && p.delayP50Ms > 0)
  sorted.sort((a, b) => a.requestsPerTask - b.requestsPerTask)
  if (sorted.length < 2) return { delayP50Ms: Number.NaN, extrapolated: true }
  let index = sorted.findIndex((p) => p.requestsPerTask >= requestsPerTask)
  const extrapolated = index <= 0 && !(index === 0 && sorted[0]?.requestsPerTask === requestsPerTask)
  if (index === -1) index = sorted.length - 1
  if (index === 0) index = 1
  const a = sorted[index - 1] as (typeof sorted)[number]
  const b = sorted[index] as (typeof sorted)[number]
  const t =
    (Math.log(requestsPerTask) - Math.log(a.requestsPerTask)) /
    (Math.log(b.requestsPerTask) - Math.log(a.requestsPerTask))
  const logDelay = Math.log(a.delayP50Ms) + t * (Math.log(b.delayP50Ms) - Math.log(a.delayP50Ms))
  return { delayP50Ms: Math.exp(logDelay), extrapolated }
}

/** Takes `progress.percent` out of a task response, leaving everything else as sent. */
async function withoutPercent(response: Response): Promise<Response> {
  if (!response.ok) return response
  const task = (await response.json()) as { progress?: { percent?: number } }
  if (task.progress) delete task.progress.percent
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(JSON.stringify(task), { status: response.status, statusText: response.statusText, headers })
}

function taskIdOf(url: string): string {
  const match = /\/tasks\/([^/?#]+)/.exec(url)
  return match?.[1] ? decodeURIComponent(match[1]) : ''
}

interface ContenderMeta {
  name: string
  kind: ContenderFigures['kind']
  intervalMs?: number
}

interface RoundResult {
  contenders: ContenderMeta[]
  results: Map<string, Outcome[]>
  eventLoop: LoopDelayFigures
  realSeconds: number
  outcomes: Record<string, number>
}

async function waitRound(options: WaitingOptions, seed: number, log: (line: string) => void): Promise<RoundResult> {
  const plans = drawPlans({ ...options, seed })
  const clock = acceleratedClock(options.speed)
  const sim = await startSimulator({ port: 0, now: () => clock.now(), rateLimit: false, logRequests: false })
  const send = guardedFetch(sim.url)
  const requests = new Map<string, number>()
  const counting = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const id = taskIdOf(url)
    requests.set(id, (requests.get(id) ?? 0) + 1)
    return send(input, init)
  }
  const stripping = async (input: Request): Promise<Response> => withoutPercent(await counting(input))
  const outcomes: Record<string, number> = {}
  const count = (what: string) => {
    outcomes[what] = (outcomes[what] ?? 0) + 1
  }

  const engineOptions = {
    accessToken: 'bench-token',
    baseUrl: sim.baseUrl,
    clock,
    requestsPerHour: Number.POSITIVE_INFINITY,
    timeoutMs: 600_000,
    polling: { timeoutMs: 24 * 3_600_000 },
  }
  const engine = createFlatClient({
    ...engineOptions,
    random: mulberry32(seed * 31 + 1),
    fetch: counting as FetchLike,
  })
  const engineNoEta = createFlatClient({ ...engineOptions, random: mulberry32(seed * 31 + 2), fetch: stripping })
  const raw = createRawClient({ baseUrl: sim.baseUrl, accessToken: 'bench-token', fetch: counting })
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms))
  const fixedWait = async (id: string, intervalMs: number): Promise<string> => {
    for (;;) {
      const { data, error } = await raw.GET('/tasks/{task}', { params: { path: { task: id } } })
      if (error !== undefined || !data) throw new Error(`fixed-interval poll failed: ${JSON.stringify(error)}`)
      if (TERMINAL.has(data.state)) return data.state
      await sleep(intervalMs)
    }
  }

  type Contender = {
    name: string
    kind: ContenderFigures['kind']
    intervalMs?: number
    wait: (id: string) => Promise<string>
  }
  const contenders: Contender[] = [
    { name: 'sdk', kind: 'engine', wait: async (id) => (await engine.tasks.wait(id)).state },
    { name: 'sdk-no-eta', kind: 'engine-no-eta', wait: async (id) => (await engineNoEta.tasks.wait(id)).state },
    {
      name: GENTLE.name,
      kind: 'engine-variant',
      wait: async (id) => (await engine.tasks.wait(id, GENTLE.polling)).state,
    },
    ...options.intervalsMs.map((intervalMs) => ({
      name: `fixed-${intervalMs / 1000}s`,
      kind: 'fixed' as const,
      intervalMs,
      wait: (id: string) => fixedWait(id, intervalMs),
    })),
  ]

  const loop = watchEventLoop()
  const realStartedAt = performance.now()
  const results = new Map<string, Outcome[]>()
  const waits: Promise<void>[] = []
  // Every contender gets its own copy of each task, all created at the same instant.
  for (const contender of contenders) {
    const list: Outcome[] = []
    results.set(contender.name, list)
    for (const plan of plans) {
      const task = sim.addTask({ durationMs: plan.durationMs, reportsPercent: plan.reportsPercent })
      const doneAt = Date.parse(task.creationDate ?? '') + plan.durationMs
      waits.push(
        contender.wait(task.id).then(
          (state) => {
            count(`${contender.kind}:${state}`)
            list.push({ plan, requests: requests.get(task.id) ?? 0, delayMs: clock.now() - doneAt })
          },
          (error: Error) => count(`${contender.kind}:${error.name}`),
        ),
      )
    }
  }
  const progress = setInterval(() => {
    const done = [...results.values()].reduce((sum, list) => sum + list.length, 0)
    log(`  ${done}/${waits.length} waits resolved, ${Math.round((clock.now() - Date.now()) / 1000)} s ahead`)
  }, 10_000)
  try {
    await Promise.all(waits)
  } finally {
    clearInterval(progress)
    await sim.close()
  }
  const realSeconds = (performance.now() - realStartedAt) / 1000
  const eventLoop = loop.stop()

  return { contenders, results, eventLoop, realSeconds, outcomes }
}

function summarize(contenders: ContenderMeta[], results: Map<string, Outcome[]>) {
  const figures: Record<string, ContenderFigures> = {}
  for (const contender of contenders) {
    const list = results.get(contender.name) ?? []
    figures[contender.name] = {
      kind: contender.kind,
      ...(contender.intervalMs === undefined ? {} : { intervalMs: contender.intervalMs }),
      ...delayFigures(list),
      reportsPercent: delayFigures(list.filter((o) => o.plan.reportsPercent)),
      silent: delayFigures(list.filter((o) => !o.plan.reportsPercent)),
    }
  }
  const fixedCurve = (pick: (f: ContenderFigures) => DelayFigures) =>
    Object.values(figures)
      .filter((f) => f.kind === 'fixed')
      .map((f) => ({ requestsPerTask: pick(f).requestsPerTask, delayP50Ms: pick(f).delayMs.p50 }))
  const compare = (f: DelayFigures, points = fixedCurve((figure) => figure)): EqualRequestComparison => {
    const fixed = interpolateFixed(points, f.requestsPerTask)
    return {
      requestsPerTask: f.requestsPerTask,
      delayP50Ms: f.delayMs.p50,
      fixedDelayP50Ms: round(fixed.delayP50Ms, 0),
      extrapolated: fixed.extrapolated,
      ratio: round(f.delayMs.p50 / fixed.delayP50Ms),
    }
  }
  const sdk = figures.sdk as ContenderFigures
  return {
    contenders: figures,
    atEqualRequests: {
      engine: compare(sdk),
      engineNoEta: compare(figures['sdk-no-eta'] as ContenderFigures),
      engineReportsPercent: compare(
        sdk.reportsPercent,
        fixedCurve((f) => f.reportsPercent),
      ),
      engineSilent: compare(
        sdk.silent,
        fixedCurve((f) => f.silent),
      ),
      gentle: compare(figures[GENTLE.name] as ContenderFigures),
      gentleSilent: compare(
        (figures[GENTLE.name] as ContenderFigures).silent,
        fixedCurve((f) => f.silent),
      ),
    },
  }
}

export async function runWaiting(
  options: WaitingOptions,
  log: (line: string) => void = () => {},
): Promise<WaitingResult> {
  const rounds: RoundResult[] = []
  for (let r = 0; r < options.rounds; r += 1) {
    rounds.push(await waitRound(options, options.seed + r, log))
    log(`  round ${r + 1}/${options.rounds} done`)
  }
  const contenders = (rounds[0] as RoundResult).contenders
  const pooled = new Map<string, Outcome[]>()
  const outcomes: Record<string, number> = {}
  for (const round of rounds) {
    for (const [name, list] of round.results) pooled.set(name, [...(pooled.get(name) ?? []), ...list])
    for (const [what, n] of Object.entries(round.outcomes)) outcomes[what] = (outcomes[what] ?? 0) + n
  }
  const worst = rounds.reduce((a, b) => (b.eventLoop.p99LagMs > a.eventLoop.p99LagMs ? b : a))
  return {
    options,
    ...summarize(contenders, pooled),
    engineRatioByRound: rounds.map((round) => summarize(contenders, round.results).atEqualRequests.engine.ratio),
    timing: {
      eventLoop: worst.eventLoop,
      virtualErrorMs: round(worst.eventLoop.p99LagMs * options.speed, 0),
      realSeconds: round(
        rounds.reduce((sum, r) => sum + r.realSeconds, 0),
        1,
      ),
    },
    outcomes,
  }
}
