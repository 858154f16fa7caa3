/** Targets, the markdown report and the trade-off chart, all computed from the stored results. */
import { LADDER, PRIMITIVES, type StubContender } from './breakdown.js'
import { BUNDLE_LABELS, BUNDLES } from './bundle.js'
import type { CodegenResult } from './codegen.js'
import { COLD_PEERS, type ColdStartResult } from './cold-start.js'
import type { Environment } from './env.js'
import type { Mode, OverheadResult } from './overhead.js'
import { PEER_LABELS, PEER_NAMES, type PeerName } from './peers.js'
import type { ScaleResult } from './scale.js'
import type { TradeoffChart } from './svg.js'
import type { WaitingResult } from './waiting.js'

export const SCENARIOS = ['overhead', 'cold-start', 'bundle', 'waiting', 'scale', 'codegen'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export interface ScenarioResults {
  overhead: OverheadResult
  'cold-start': ColdStartResult
  bundle: import('./bundle.js').BundleResult
  waiting: WaitingResult
  scale: ScaleResult
  codegen: CodegenResult
}

export interface ScenarioEntry<T> {
  measuredAt: string
  quick: boolean
  environment: Environment
  result: T
}

export type StoredScenarios = { [K in ScenarioName]?: ScenarioEntry<ScenarioResults[K]> }

export interface TargetRow {
  target: string
  measured: string
  ratio: string
  status: 'PASS' | 'MISS' | 'info'
}

/** Bumped whenever a stored result changes shape; `--only` keeps older results only when this matches. */
export const RESULTS_SCHEMA = 2

export interface ResultsFile {
  schema: number
  environment: Environment
  run: { quick: boolean; only: ScenarioName[]; startedAt: string; durationSeconds: number }
  scenarios: StoredScenarios
  targets: TargetRow[]
}

const MODE_LABEL: Record<Mode, string> = { sequential: 'sequential', concurrent: '16 in flight' }

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a')
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a')
const times = (value: number) => `${fixed(value)}×`
const seconds = (ms: number) => `${fixed(ms / 1000, ms < 10_000 ? 2 : 1)} s`
const pass = (ok: boolean): TargetRow['status'] => (ok ? 'PASS' : 'MISS')

/** A markdown table with every column padded to its widest cell, as the repository's formatter writes them. */
function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows].map((row) => row.map(String))
  const width = (text: string) => [...text].length
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => width(row[column] ?? ''))))
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - width(cell))).join(' | ')} |`
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`
  const [head, ...body] = cells
  return [line(head as string[]), rule, ...body.map(line)].join('\n')
}

function ratioCell(overhead: OverheadResult, mode: Mode, pair: string): string {
  const spread = overhead.ratios[mode][pair]
  if (!spread) return 'n/a'
  return `${times(spread.median)} (IQR ${fixed(spread.q1)}–${fixed(spread.q3)})`
}

/** PASS or MISS on the median; flagged when the bound lies between the quartiles, where the noise decides. */
function ratioStatus(overhead: OverheadResult, mode: Mode, pair: string, ok: (ratio: number) => boolean) {
  const spread = overhead.ratios[mode][pair]
  const status = pass(spread !== undefined && ok(spread.median))
  const undecided = spread !== undefined && ok(spread.q1) !== ok(spread.q3)
  return { status, note: undecided ? ' (bound inside the IQR: within noise)' : '' }
}

export function computeTargets(scenarios: StoredScenarios): TargetRow[] {
  const rows: TargetRow[] = []
  const overhead = scenarios.overhead?.result
  if (overhead) {
    const rps = (mode: Mode, peer: PeerName) => int(overhead.figures[mode][peer].requestsPerSecond)
    for (const mode of ['sequential', 'concurrent'] as const) {
      const label = MODE_LABEL[mode]
      const row = (target: string, a: PeerName, b: PeerName, ok: (ratio: number) => boolean): TargetRow => {
        const cpu = overhead.cpuRatios[mode][`${a}/${b}`]?.median ?? Number.NaN
        const { status, note } = ratioStatus(overhead, mode, `${a}/${b}`, ok)
        return {
          target: `${target} (${label})`,
          measured: `${rps(mode, a)} vs ${rps(mode, b)} req/s; client CPU ${times(cpu)}`,
          ratio: `${ratioCell(overhead, mode, `${a}/${b}`)}${note}`,
          status,
        }
      }
      rows.push(
        row('@flat-api/raw within 1.03× of openapi-fetch alone', 'raw', 'openapi-fetch', (r) => r <= 1.03),
        row('tasks.get within 1.10× of @flat-api/raw', 'sdk', 'raw', (r) => r <= 1.1),
        row('@flat-api/raw ahead of flat-api', 'raw', 'flat-api', (r) => r < 1),
        row('tasks.get ahead of flat-api', 'sdk', 'flat-api', (r) => r < 1),
      )
    }
    rows.push({
      target: 'openapi-fetch alone vs bare fetch (reference: about 1.24× here before)',
      measured: `${rps('sequential', 'openapi-fetch')} vs ${rps('sequential', 'fetch')} req/s sequential`,
      ratio: ratioCell(overhead, 'sequential', 'openapi-fetch/fetch'),
      status: 'info',
    })
  }
  const cold = scenarios['cold-start']?.result
  if (cold) {
    const sdk = cold.peers.sdk
    const flatApi = cold.peers['flat-api']
    const ratio = sdk.sinceStartMs.p50 / flatApi.sinceStartMs.p50
    rows.push({
      target: 'SDK cold start below half of flat-api’s (process start to first response, median)',
      measured: `${fixed(sdk.sinceStartMs.p50, 1)} vs ${fixed(flatApi.sinceStartMs.p50, 1)} ms; added over bare fetch ${fixed(sdk.addedMs, 1)} vs ${fixed(flatApi.addedMs, 1)} ms`,
      ratio: `${times(ratio)}; added ${times(sdk.addedMs / flatApi.addedMs)}`,
      status: pass(ratio < 0.5),
    })
  }
  const bundle = scenarios.bundle?.result
  if (bundle) {
    rows.push(
      {
        target: 'SDK + raw runtime under 8 kB gzipped (8,000 B)',
        measured: `${int(bundle.sdk.gzipBytes)} B gzip (${int(bundle.sdk.minifiedBytes)} B minified)`,
        ratio: `${times(bundle.sdk.gzipBytes / 8000)} of 8 kB`,
        status: pass(bundle.sdk.gzipBytes < 8000),
      },
      {
        target: 'flat-api’s client measured the same way (reference: near 22 kB)',
        measured: `${int(bundle['flat-api'].gzipBytes)} B gzip (${int(bundle['flat-api'].minifiedBytes)} B minified)`,
        ratio: `SDK is ${times(bundle.sdk.gzipBytes / bundle['flat-api'].gzipBytes)} of it`,
        status: 'info',
      },
    )
  }
  const waiting = scenarios.waiting?.result
  if (waiting) {
    const e = waiting.atEqualRequests.engine
    rows.push({
      target: 'Waiting: at an equal request count, our median delay at most half the best fixed-interval loop’s',
      measured: `${seconds(e.delayP50Ms)} vs ${seconds(e.fixedDelayP50Ms)} at ${fixed(e.requestsPerTask)} requests/task${e.extrapolated ? ' (curve extended)' : ''}`,
      ratio: times(e.ratio),
      status: pass(e.ratio <= 0.5),
    })
  }
  const scale = scenarios.scale?.result
  if (scale) {
    const { realTime, accelerated, budget } = scale
    const peakSecond = Math.max(realTime.clientPeaks.perSecond, accelerated.clientPeaks.perSecond)
    const withinMinute = accelerated.clientPeaks.perMinute <= budget.perMinute
    const withinHour = accelerated.clientPeaks.perHour <= budget.perHour
    rows.push(
      {
        target: `${int(scale.options.waiters)} waits: never above the budget (7,200/h; any 1 s window ≤ 2, client side)`,
        measured: `peak ${peakSecond} in 1 s (real time ${realTime.clientPeaks.perSecond}, accelerated ${accelerated.clientPeaks.perSecond}); ${accelerated.clientPeaks.perMinute}/min; ${int(accelerated.clientPeaks.perHour)}/h; ${accelerated.rejectedByServer} refused by the server`,
        ratio: `${times(peakSecond / budget.perSecond)} per s; ${times(accelerated.clientPeaks.perHour / budget.perHour)} per h`,
        status: pass(
          peakSecond <= budget.perSecond && withinMinute && withinHour && accelerated.rejectedByServer === 0,
        ),
      },
      {
        target: `${int(scale.options.waiters)} waits: mean request rate against the budget (2/s)`,
        measured: `${fixed(realTime.meanPerSecond)}/s real time; ${fixed(accelerated.meanPerSecond)}/s accelerated ×${scale.options.speed}`,
        ratio: times(realTime.meanPerSecond / budget.perSecond),
        status: 'info',
      },
      {
        target: `${int(scale.options.waiters)} waits: under 2 kB (2,000 B) of heap per waiter`,
        measured: `${int(realTime.heapBytesPerWaiter)} B (accelerated run: ${int(accelerated.heapBytesPerWaiter)} B)`,
        ratio: times(realTime.heapBytesPerWaiter / 2000),
        status: pass(realTime.heapBytesPerWaiter < 2000),
      },
      {
        target: `${int(scale.options.waiters)} waits: event-loop delay p99 under 20 ms`,
        measured: `${fixed(realTime.eventLoop.p99LagMs)} ms real time (max ${fixed(realTime.eventLoop.maxLagMs, 1)}); ${fixed(accelerated.eventLoop.p99LagMs)} ms at ×${scale.options.speed}; setup of all waits ${fixed(realTime.setupMs, 0)} ms`,
        ratio: times(realTime.eventLoop.p99LagMs / 20),
        status: pass(realTime.eventLoop.p99LagMs < 20),
      },
    )
  }
  return rows
}

/** Why each missed target missed, and what would fix it, from the figures themselves. */
export function findings(scenarios: StoredScenarios, targets: TargetRow[]): string[] {
  const notes: string[] = []
  const missed = (prefix: string) => targets.some((t) => t.status === 'MISS' && t.target.startsWith(prefix))
  const o = scenarios.overhead?.result
  if (o) {
    const b = o.breakdown
    const c = b.counts
    const describe = (name: StubContender) =>
      PRIMITIVES.filter((p) => c[name][p] > 0 && p !== 'AbortController' && p !== 'setTimeout')
        .map((p) => `${fixed(c[name][p], c[name][p] % 1 ? 2 : 0)} ${p}`)
        .join(', ')
    const extras = (name: StubContender, base: StubContender) =>
      PRIMITIVES.filter((p) => c[name][p] - c[base][p] >= 0.5 && p !== 'AbortController' && p !== 'setTimeout')
        .map((p) => `+${fixed(c[name][p] - c[base][p], 0)} ${p}`)
        .join(', ')
    const top = Object.entries(b.attribution.sdk.items)
      .sort((x, y) => (y[1] ?? 0) - (x[1] ?? 0))
      .slice(0, 3)
      .map(([p, us]) => `${p} ${fixed(us ?? 0, 0)} µs`)
      .join(', ')
    if (missed('tasks.get within')) {
      notes.push(
        `**tasks.get vs raw.** Per call the SDK creates ${describe('sdk')}; raw creates ${describe('raw')}. Stubbed (no network) that is ${fixed(b.stubUsPerCall.sdk.median, 0)} µs against ${fixed(b.stubUsPerCall.raw.median, 0)} µs, and ${times(o.cpuRatios.sequential['sdk/raw']?.median ?? Number.NaN)} the client CPU over the network. The dearest items: ${top}; the rest (${fixed(b.attribution.sdk.residualUs, 0)} µs) is middleware and transport plumbing. \`flat.raw.GET\` costs the same (${fixed(b.stubUsPerCall['sdk.raw'].median, 0)} µs), so the cost is in the client's middleware and transport, not in \`tasks.get\`. A poll inside \`tasks.wait\` (sent once, retries off) costs ${fixed(b.stubUsPerCall['sdk.poll'].median, 0)} µs and creates ${describe('sdk.poll')}; over the network it runs at ${ratioCell(o, 'sequential', 'sdk.poll/raw')} raw's time per request. The lean poll path prototype (one \`fetch(url, init)\`, headers built once, one timer, one body read and parse, same typed errors and rate-limit bookkeeping) costs ${fixed(b.stubUsPerCall.lean.median, 0)} µs and runs at ${ratioCell(o, 'sequential', 'lean/raw')} raw's time per request. A path like it for bodiless GETs (\`tasks.get\`, the poll loop), or a general path without the extra work per call over raw (${extras('sdk', 'raw')}), would meet the target.`,
      )
    }
    if (missed('@flat-api/raw within')) {
      notes.push(
        `**raw vs openapi-fetch.** raw adds only its path serializer and the bearer header to openapi-fetch: stubbed ${fixed(b.stubUsPerCall.raw.median, 1)} µs against ${fixed(b.stubUsPerCall['openapi-fetch'].median, 1)} µs, the same primitives per call. A miss here is the machine's noise (see the IQR), not the code.`,
      )
    }
    if (missed('@flat-api/raw ahead') || missed('tasks.get ahead')) {
      notes.push(
        `**Against flat-api.** flat-api's generated runtime calls \`fetch(url, init)\` without building a Request first (stubbed ${fixed(b.stubUsPerCall['flat-api'].median, 0)} µs, counts: ${describe('flat-api')}); openapi-fetch builds one Request per call and runs its middleware loop (${fixed(b.stubUsPerCall['openapi-fetch'].median, 0)} µs). Over the network the difference is within the noise for raw (${ratioCell(o, 'sequential', 'raw/flat-api')} sequential); the SDK's extra work per call (${extras('sdk', 'raw')}) is what puts tasks.get behind.`,
      )
    }
  }
  const cold = scenarios['cold-start']?.result
  if (cold && missed('SDK cold start')) {
    notes.push(
      `**Cold start.** Node's own start-up and undici's first load are in every figure: bare fetch already needs ${fixed(cold.peers.fetch.sinceStartMs.p50, 0)} ms. Above that, the SDK adds ${fixed(cold.peers.sdk.addedMs, 0)} ms and flat-api ${fixed(cold.peers['flat-api'].addedMs, 0)} ms (${times(cold.peers.sdk.addedMs / cold.peers['flat-api'].addedMs)}); the SDK's own import is ${fixed(cold.peers.sdk.importMs, 0)} ms against flat-api's ${fixed(cold.peers['flat-api'].importMs, 0)} ms.`,
    )
  }
  const bundle = scenarios.bundle?.result
  if (bundle && missed('SDK + raw runtime')) {
    const files = Object.entries(bundle.sdk.bySourceFile ?? {})
      .slice(0, 5)
      .map(([file, bytes]) => `${file.replace('packages/sdk/src/', '')} ${int(bytes)} B`)
      .join(', ')
    notes.push(
      `**Bundle.** An app that makes one typed call and one wait ships the whole SDK: \`createFlatClient\` builds tasks, scores, OMR, pagination and downloads into one object, so a bundler cannot drop any of them. Largest sources (minified): ${files}. openapi-fetch and raw are ${int((bundle.sdk.byPackage['openapi-fetch'] ?? 0) + (bundle.sdk.byPackage['@flat-api/raw'] ?? 0))} B of the ${int(bundle.sdk.minifiedBytes)}. Splitting the helpers into functions that take a client (or subpath exports such as \`@flat-api/sdk/tasks\`), and keeping long validation messages out of the hot modules, would let the one-call-one-wait app ship only the transport, errors, tasks and polling files.`,
    )
  }
  const w = scenarios.waiting?.result
  if (w && missed('Waiting')) {
    const p = w.atEqualRequests.engineReportsPercent
    const q = w.atEqualRequests.engineSilent
    notes.push(
      `**Waiting.** The ETA does its job on tasks that report percent: ${seconds(p.delayP50Ms)} at ${fixed(p.requestsPerTask)} requests/task where fixed intervals give ${seconds(p.fixedDelayP50Ms)} (${times(p.ratio)}). Tasks that report nothing get plain exponential backoff: ${seconds(q.delayP50Ms)} at ${fixed(q.requestsPerTask)} requests/task against ${seconds(q.fixedDelayP50Ms)} (${times(q.ratio)}), and backoff alone is ${times(w.atEqualRequests.engineNoEta.ratio)} the fixed curve: it spends its early polls 0.5–2 s apart, when few tasks finish, and its late ones up to 15 s apart, when most do. The mix lands at ${times(w.atEqualRequests.engine.ratio)}. Slower growth alone is not the fix: with \`multiplier: 1.3, maxDelayMs: 8000\` (public options, measured beside the default) the silent half is ${times(w.atEqualRequests.gentleSilent.ratio)} the fixed curve (default ${times(q.ratio)}) at ${fixed(w.atEqualRequests.gentleSilent.requestsPerTask)} requests/task, and the whole mix ${times(w.atEqualRequests.gentle.ratio)}, because it also slows the percent half. Backoff loses to fixed intervals on its early ramp (polls 0.5 s, 0.8 s, 1.3 s… apart, when few tasks are done); for tasks without percent, a schedule that starts later (a larger first delay) and then holds a steady interval, with the ETA kept for tasks that report percent, is what these figures point to (not measured here).`,
    )
  }
  const scale = scenarios.scale?.result
  if (scale && missed(`${int(scale.options.waiters)} waits: never above`)) {
    const r = scale.realTime
    const a = scale.accelerated
    notes.push(
      `**Budget.** The hourly budget holds (${int(a.clientPeaks.perHour)} in the busiest hour, ${a.clientPeaks.perMinute} in the busiest minute, none refused), but not every 1 s window: in real time the client sent ${r.clientPeaks.perSecond} requests within one second. Creating ${int(scale.options.waiters)} waits in one synchronous loop took ${fixed(r.setupMs, 0)} ms; the scheduler grants a slot from \`enqueue\` whenever the clock says one is due, so slots granted during the loop were all sent when it yielded (first send ${fixed(r.firstSendAfterMs, 0)} ms after setup began), followed by the next slot 500 ms after the previous grant rather than the previous send. At ×${scale.options.speed} every such stall, and every GC pause or preemption by other processes, is multiplied by the speed (${a.sendGapMs.belowSlot} gaps below 500 ms, peak ${a.clientPeaks.perSecond} per second). Fix: grant only from the scheduler's timer (never synchronously inside \`enqueue\`), or space slots from the moment a request is actually handed to fetch.`,
    )
  }
  if (scale && missed(`${int(scale.options.waiters)} waits: under 2 kB`)) {
    notes.push(
      `**Heap.** ${int(scale.realTime.heapBytesPerWaiter)} B per pending wait after a full GC (the simulator's tasks exist before the baseline is taken). A pending wait holds a hub subscriber, a loop group, a poll loop, its task target, its promise object and a Node timer for its own deadline; one deadline timer per client (waits ordered by deadline) instead of one per wait is a candidate, to be confirmed with a heap snapshot.`,
    )
  }
  if (scale && missed(`${int(scale.options.waiters)} waits: event-loop`)) {
    notes.push(
      `**Event loop.** Lag p99 ${fixed(scale.realTime.eventLoop.p99LagMs)} ms with every wait pending; the scheduler scans every queued waiter for each slot, so a heap keyed by claim would make each grant cheap.`,
    )
  }
  return notes
}

function overheadSection(entry: ScenarioEntry<OverheadResult>): string {
  const o = entry.result
  const rows = PEER_NAMES.map((name) => {
    const s = o.figures.sequential[name]
    const c = o.figures.concurrent[name]
    return [
      PEER_LABELS[name],
      int(s.requestsPerSecond),
      fixed(s.p50Ms, 3),
      fixed(s.p99Ms, 3),
      int(s.cpuUsPerRequest),
      name === 'fetch' ? '1.00×' : ratioCell(o, 'sequential', `${name}/fetch`),
      int(c.requestsPerSecond),
      fixed(c.p50Ms, 2),
      fixed(c.p99Ms, 2),
      int(c.cpuUsPerRequest),
      name === 'fetch' ? '1.00×' : ratioCell(o, 'concurrent', `${name}/fetch`),
    ]
  })
  const pairs = Object.keys(o.ratios.sequential).map((pair) => [
    pair,
    ratioCell(o, 'sequential', pair),
    ratioCell(o, 'concurrent', pair),
    times(o.cpuRatios.sequential[pair]?.median ?? Number.NaN),
    times(o.cpuRatios.concurrent[pair]?.median ?? Number.NaN),
  ])
  const b = o.breakdown
  const contenders: StubContender[] = [
    'fetch',
    'openapi-fetch',
    'raw',
    ...LADDER,
    'sdk.raw',
    'sdk',
    'sdk.poll',
    'lean',
    'flat-api',
  ]
  const used = PRIMITIVES.filter((p) => contenders.some((c) => b.counts[c][p] > 0))
  const stubRows = contenders.map((name) => [
    name in PEER_LABELS ? PEER_LABELS[name as PeerName] : name,
    fixed(b.stubUsPerCall[name].median, 1),
    ...used.map((p) => (b.counts[name][p] ? fixed(b.counts[name][p], b.counts[name][p] % 1 ? 2 : 0) : '·')),
    fixed(b.attribution[name].attributedUs, 1),
    fixed(b.attribution[name].residualUs, 1),
  ])
  const stub = (name: StubContender) => b.stubUsPerCall[name].median
  const overFetch = (name: StubContender) => stub(name) - stub('fetch')
  const net = (name: PeerName) => ratioCell(o, 'sequential', `${name}/fetch`)
  return [
    '## 1. Per-request overhead',
    '',
    `\`GET /tasks/{task}\` in a closed loop against the simulator in its own process (one core each), ${o.options.rounds} alternating rounds of ${int(o.options.sequentialRequests)} sequential and ${int(o.options.concurrentRequests)} requests at ${o.options.concurrency} in flight per contender, after ${int(o.options.warmupRequests)} warm-up requests each. Ratios are time per request over bare fetch's, per round; the median is the figure, the range shows the noise. CPU is the client process's own.`,
    '',
    table(
      [
        'contender',
        'seq req/s',
        'p50 ms',
        'p99 ms',
        'CPU µs/req',
        'seq vs fetch',
        `${o.options.concurrency}× req/s`,
        'p50 ms',
        'p99 ms',
        'CPU µs/req',
        `${o.options.concurrency}× vs fetch`,
      ],
      rows,
    ),
    '',
    table(
      ['pair (a/b)', 'sequential', `${o.options.concurrency} in flight`, 'CPU seq', `CPU ${o.options.concurrency}×`],
      pairs,
    ),
    '',
    '### Where the SDK’s time goes',
    '',
    'The same calls against a stubbed fetch that answers from memory (no network, no undici): µs per call, the primitives each call creates (counted by swapping in counting subclasses), and those counts priced at their measured unit cost. The rest is promises, closures and plumbing. Ladder rows are generic layers over `@flat-api/raw`: a no-op middleware, a middleware that rebuilds the Request with new headers, then a fetch wrapper that rebuilds it again with a timeout signal.',
    '',
    table(['contender', 'µs/call', ...used, 'priced µs', 'rest µs'], stubRows),
    '',
    `Unit costs (µs): ${Object.entries(b.unitUs)
      .map(([k, v]) => `${k} ${fixed(v, 2)}`)
      .join(', ')}.`,
    '',
    `Stubbed, bare fetch costs ${fixed(stub('fetch'), 1)} µs a call; \`tasks.get\` ${fixed(stub('sdk'), 1)} µs (+${fixed(overFetch('sdk'), 1)}), a poll inside \`tasks.wait\` ${fixed(stub('sdk.poll'), 1)} µs (+${fixed(overFetch('sdk.poll'), 1)}), the lean poll path prototype ${fixed(stub('lean'), 1)} µs (+${fixed(overFetch('lean'), 1)}): the lean path removes ${fixed((1 - overFetch('lean') / overFetch('sdk.poll')) * 100, 0)}% of the poll loop's overhead over bare fetch. Over the network, sequential, against bare fetch: \`tasks.get\` ${net('sdk')}, the poll loop ${net('sdk.poll')}, the lean path ${net('lean')}.`,
  ].join('\n')
}

function coldSection(entry: ScenarioEntry<ColdStartResult>): string {
  const c = entry.result
  const rows = COLD_PEERS.map((peer) => {
    const f = c.peers[peer]
    return [
      peer,
      f.runs,
      fixed(f.sinceStartMs.p50, 1),
      fixed(f.sinceStartMs.p90, 1),
      fixed(f.wallMs.p50, 1),
      fixed(f.wallMs.p90, 1),
      fixed(f.importMs, 1),
      fixed(f.firstRequestMs, 1),
      times(f.ratioToFetch),
      fixed(f.addedMs, 1),
    ]
  })
  return [
    '## 2. Cold start',
    '',
    `A fresh \`node\` process per run imports one client (plain ESM, no TypeScript loader), builds it and gets one task; ${c.options.runsPerPeer} runs per client in alternating order after one unmeasured pass. "Start → response" is the child's own clock from process start; "wall" is spawn to exit as the parent sees it.`,
    '',
    table(
      [
        'client',
        'runs',
        'start → response p50 ms',
        'p90',
        'wall p50 ms',
        'p90',
        'import ms',
        'build + first request ms',
        'vs fetch',
        'added ms',
      ],
      rows,
    ),
  ].join('\n')
}

function bundleSection(entry: ScenarioEntry<import('./bundle.js').BundleResult>): string {
  const b = entry.result
  const rows = BUNDLES.map((name) => [
    BUNDLE_LABELS[name],
    int(b[name].minifiedBytes),
    int(b[name].gzipBytes),
    Object.entries(b[name].byPackage)
      .map(([pkg, bytes]) => `${pkg} ${int(bytes)}`)
      .join(', '),
  ])
  const files = Object.entries(b.sdk.bySourceFile ?? {})
    .filter(([, bytes]) => bytes > 0)
    .slice(0, 10)
    .map(([file, bytes]) => `${file.replace('packages/', '')} ${int(bytes)}`)
  return [
    '## 3. Bundle size',
    '',
    'esbuild, bundled and minified for the browser as ESM; gzip at level 9. Each entry makes one typed call and one wait (or a fixed-interval loop where the client has no wait).',
    '',
    table(['entry', 'minified B', 'gzip B', 'minified bytes by package'], rows),
    '',
    `Largest SDK source files in that bundle (minified bytes): ${files.join(', ')}.`,
  ].join('\n')
}

function waitingSection(entry: ScenarioEntry<WaitingResult>): string {
  const w = entry.result
  const rows = Object.entries(w.contenders).map(([name, f]) => [
    name,
    fixed(f.requestsPerTask),
    seconds(f.delayMs.p50),
    seconds(f.delayMs.p90),
    `${fixed(f.reportsPercent.requestsPerTask)} / ${seconds(f.reportsPercent.delayMs.p50)}`,
    `${fixed(f.silent.requestsPerTask)} / ${seconds(f.silent.delayMs.p50)}`,
  ])
  const e = w.atEqualRequests.engine
  const n = w.atEqualRequests.engineNoEta
  return [
    '## 4. Waiting',
    '',
    `${w.options.rounds} round${w.options.rounds > 1 ? 's' : ''} of ${w.options.tasks} tasks (pooled), completion times log-uniform from ${seconds(w.options.minDurationMs)} to ${seconds(w.options.maxDurationMs)} (seeds from ${w.options.seed}), ${Math.round(w.options.percentShare * 100)}% reporting percent linearly; each contender waits for its own copy of every task, all at once, on one clock running ×${w.options.speed} shared by the simulator and the clients. Pacing off (\`requestsPerHour: Infinity\`). Delay is from done (known from the plan) to the wait resolving, in virtual time. The rounds took ${fixed(w.timing.realSeconds, 1)} s of real time; event-loop lag p99 ${fixed(w.timing.eventLoop.p99LagMs)} ms real in the worst round, so timings carry up to about ${int(w.timing.virtualErrorMs)} ms of virtual error.`,
    '',
    table(
      ['contender', 'requests/task', 'delay p50', 'delay p90', 'percent tasks: req / p50', 'silent tasks: req / p50'],
      rows,
    ),
    '',
    `Per round on its own, the engine's ratio at equal requests was ${(w.engineRatioByRound ?? []).map((r) => times(r)).join(', ')}.`,
    '',
    `At an equal request count: our engine ${seconds(e.delayP50Ms)} at ${fixed(e.requestsPerTask)} requests/task against ${seconds(e.fixedDelayP50Ms)} for the fixed-interval curve there (${times(e.ratio)}); without the ETA ${seconds(n.delayP50Ms)} at ${fixed(n.requestsPerTask)} against ${seconds(n.fixedDelayP50Ms)} (${times(n.ratio)}); \`sdk-gentle\` (the engine with \`multiplier: 1.3, maxDelayMs: 8000\`) ${seconds(w.atEqualRequests.gentle.delayP50Ms)} at ${fixed(w.atEqualRequests.gentle.requestsPerTask)} (${times(w.atEqualRequests.gentle.ratio)}). The curve is interpolated in log-log space between the measured intervals.`,
    '',
    '![waiting trade-off](waiting.svg)',
  ].join('\n')
}

function scaleSection(entry: ScenarioEntry<ScaleResult>): string {
  const { realTime: r, accelerated: a, options } = entry.result
  return [
    '## 5. Scale',
    '',
    `${int(options.waiters)} concurrent \`tasks.wait\` on one client with the default budget (7,200/h), the simulator enforcing Flat's limit. Phase A runs ${options.realTimeSeconds} s in real time with every wait pending (heap after a full GC, event-loop lag, rate with no acceleration), then aborts them all. Phase B runs the same workload to completion at ×${options.speed}. Peaks are counted where the client sends (a wrapped fetch stamps the clock); the scheduler stamps grants on the same clock a few microtasks earlier, so client-side stamps carry only that path's error times the speed, while server arrivals add transit and queueing times the speed. Gaps between consecutive sends (while waiters queue) show the error: none should be below the 500 ms slot, and a gap above it is a timer that fired late, which slows the rate and never raises it.`,
    '',
    table(
      ['', 'phase A (real time)', `phase B (×${options.speed})`],
      [
        [
          'duration',
          `${fixed(r.seconds, 1)} s`,
          `${int(a.virtualSeconds)} s virtual, ${fixed(a.realSeconds, 1)} s real`,
        ],
        ['requests', int(r.requests), `${int(a.requests)} (${fixed(a.requestsPerTask)}/task)`],
        ['mean rate', `${fixed(r.meanPerSecond)}/s`, `${fixed(a.meanPerSecond)}/s`],
        [
          'client peak 1 s / 60 s / 1 h',
          `${r.clientPeaks.perSecond} / ${r.clientPeaks.perMinute} / ${r.clientPeaks.perHour}`,
          `${a.clientPeaks.perSecond} / ${a.clientPeaks.perMinute} / ${int(a.clientPeaks.perHour)}`,
        ],
        [
          'server peak 1 s / 60 s / 1 h',
          '—',
          `${a.serverPeaks.perSecond} / ${a.serverPeaks.perMinute} / ${int(a.serverPeaks.perHour)} (busiest calendar second ${a.serverPeakPerCalendarSecond})`,
        ],
        [
          'send gaps (virtual ms)',
          `first send ${fixed(r.firstSendAfterMs, 0)} ms after setup began`,
          `min ${fixed(a.sendGapMs.min, 0)}, p50 ${fixed(a.sendGapMs.p50, 0)}, p99 ${fixed(a.sendGapMs.p99, 0)}; ${a.sendGapMs.belowSlot} below 500`,
        ],
        ['refused by the server', '—', String(a.rejectedByServer)],
        [
          'heap per waiter',
          `${int(r.heapBytesPerWaiter)} B (${int(r.pendingWhenMeasured)} pending)`,
          `${int(a.heapBytesPerWaiter)} B`,
        ],
        [
          'event-loop lag p99 / max',
          `${fixed(r.eventLoop.p99LagMs)} / ${fixed(r.eventLoop.maxLagMs, 1)} ms; setup ${fixed(r.setupMs, 0)} ms`,
          `${fixed(a.eventLoop.p99LagMs)} / ${fixed(a.eventLoop.maxLagMs, 1)} ms`,
        ],
        [
          'done → resolved p50 / p90 / p99',
          '—',
          `${seconds(a.doneToResolvedMs.p50)} / ${seconds(a.doneToResolvedMs.p90)} / ${seconds(a.doneToResolvedMs.p99)}`,
        ],
        [
          'outcomes',
          r.abortedAll ? 'all aborted at the end' : 'not all settled',
          Object.entries(a.outcomes)
            .map(([k, v]) => `${k} ${int(v)}`)
            .join(', '),
        ],
      ],
    ),
  ].join('\n')
}

function codegenSection(entry: ScenarioEntry<CodegenResult>): string {
  const c = entry.result
  const rows: string[][] = []
  if (c.generate) {
    rows.push([
      'regenerate raw types (`packages/raw/scripts/generate.ts`)',
      `${int(c.generate.wallMs)} ms (median of ${c.generate.runs})`,
      c.generate.deterministic ? 'output byte-identical to before' : 'output CHANGED',
    ])
  }
  if (c.noopTest) {
    const t = c.noopTest
    rows.push([
      'no-op `npm test` (second `turbo run lint typecheck test`)',
      `${int(t.wallMs)} ms`,
      `${t.cached}/${t.total} cached, exit ${t.exitCode}${t.fullCacheHit ? '' : ` (NOT a full cache hit${t.failed.length ? `: ${t.failed.join(', ')} failed` : ''})`}; first pass ${int(t.firstWallMs)} ms, exit ${t.firstExitCode}`,
    ])
  }
  for (const name of ['ours', 'flat-api', 'empty'] as const) {
    const f = c.tsc[name]
    rows.push([
      `\`tsc --noEmit\`: ${name === 'ours' ? 'twenty operations via `flat.raw`' : name === 'flat-api' ? 'the same via flat-api’s API classes' : 'empty file (baseline)'}`,
      `${int(f.wallMs)} ms wall`,
      `check ${int(f.checkMs)} ms of ${int(f.totalMs)} ms; ${int(f.types)} types, ${int(f.instantiations)} instantiations, ${int(f.memoryKb / 1024)} MB${f.errors ? `; ${f.errors} ERRORS` : ''}`,
    ])
  }
  return [
    '## 6. Codegen and tooling',
    '',
    table(['what', 'time', 'detail'], rows),
    '',
    `Ours over flat-api's: ${times(c.tsc.oursOverFlatApi)} wall, ${times(c.tsc.oursOverFlatApiAboveBaseline)} above the empty baseline.`,
  ].join('\n')
}

export function renderMarkdown(file: ResultsFile): string {
  const env = file.environment
  const s = file.scenarios
  const stamp = (name: ScenarioName) => {
    const entry = s[name]
    if (!entry) return ''
    const flags = [
      entry.quick ? 'quick run' : '',
      entry.measuredAt === file.run.startedAt ? '' : `from ${entry.measuredAt}`,
    ]
    const text = flags.filter(Boolean).join(', ')
    return text ? `\n\n_${text}_` : ''
  }
  const parts = [
    '# Benchmarks',
    '',
    `Measured ${env.date} on ${env.cpuModel} (${env.cores} cores, ${env.memoryGb} GB), Node ${env.node}, ${env.os}, commit ${env.commit}; load average ${env.loadAverage1m} at the start. ${file.run.quick ? 'Quick run: small sizes, figures are indicative only.' : 'Full run.'} Everything runs against the simulator on 127.0.0.1. This machine is noisy: read the ratios and counts, not the absolute figures. Regenerate with \`npm run bench\`; raw figures are in \`latest.json\`.`,
    '',
    '## Targets',
    '',
    table(
      ['target', 'measured', 'ratio', 'result'],
      file.targets.map((t) => [t.target, t.measured, t.ratio, t.status === 'info' ? '—' : `**${t.status}**`]),
    ),
  ]
  const notes = findings(s, file.targets)
  if (notes.length) parts.push('', '## Why the misses missed', '', ...notes.map((note) => `- ${note}`))
  if (s.overhead) parts.push('', overheadSection(s.overhead) + stamp('overhead'))
  if (s['cold-start']) parts.push('', coldSection(s['cold-start']) + stamp('cold-start'))
  if (s.bundle) parts.push('', bundleSection(s.bundle) + stamp('bundle'))
  if (s.waiting) parts.push('', waitingSection(s.waiting) + stamp('waiting'))
  if (s.scale) parts.push('', scaleSection(s.scale) + stamp('scale'))
  if (s.codegen) parts.push('', codegenSection(s.codegen) + stamp('codegen'))
  return `${parts.join('\n')}\n`
}

export function tradeoffChart(w: WaitingResult): TradeoffChart {
  const point = (label: string, requestsPerTask: number, delayP50Ms: number) => ({ label, requestsPerTask, delayP50Ms })
  const fixedPoints = Object.values(w.contenders)
    .filter((f) => f.kind === 'fixed')
    .map((f) => point(`${(f.intervalMs ?? 0) / 1000} s`, f.requestsPerTask, f.delayMs.p50))
  const e = w.atEqualRequests.engine
  const sdk = w.contenders.sdk
  const noEta = w.contenders['sdk-no-eta']
  return {
    fixed: fixedPoints,
    engine: point('@flat-api/sdk (ETA)', sdk?.requestsPerTask ?? Number.NaN, sdk?.delayMs.p50 ?? Number.NaN),
    engineNoEta: point('backoff, no ETA', noEta?.requestsPerTask ?? Number.NaN, noEta?.delayMs.p50 ?? Number.NaN),
    fixedAtEngine: point('fixed, same requests', e.requestsPerTask, e.fixedDelayP50Ms),
    engineHalves: [
      point(
        'percent',
        sdk?.reportsPercent.requestsPerTask ?? Number.NaN,
        sdk?.reportsPercent.delayMs.p50 ?? Number.NaN,
      ),
      point('no percent', sdk?.silent.requestsPerTask ?? Number.NaN, sdk?.silent.delayMs.p50 ?? Number.NaN),
    ],
    caption: `${w.options.rounds * w.options.tasks} tasks, ${Math.round(w.options.percentShare * 100)}% reporting percent; our engine ${times(e.ratio)} the fixed-interval delay at ${fixed(e.requestsPerTask)} requests/task`,
  }
}
