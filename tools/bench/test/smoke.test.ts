import { describe, expect, it } from 'vitest'
import { runBundle } from '../src/bundle.js'
import { runCodegen } from '../src/codegen.js'
import { COLD_PEERS, runColdStart } from '../src/cold-start.js'
import { describeEnvironment } from '../src/env.js'
import { runOverhead } from '../src/overhead.js'
import { PEER_NAMES } from '../src/peers.js'
import {
  computeTargets,
  RESULTS_SCHEMA,
  type ResultsFile,
  renderMarkdown,
  type StoredScenarios,
  tradeoffChart,
} from '../src/report.js'
import { runScale } from '../src/scale.js'
import { renderTradeoffSvg } from '../src/svg.js'
import { interpolateFixed, runWaiting, WAITING_QUICK } from '../src/waiting.js'

// Each scenario at a tiny size: the suite runs end to end and every figure the report reads is there.
describe('benchmark suite at a tiny size', () => {
  const environment = describeEnvironment(new URL('../../../', import.meta.url).pathname)
  const scenarios: StoredScenarios = {}
  const entry = <T>(result: T) => ({ measuredAt: environment.date, quick: true, environment, result })

  it('measures request overhead for every contender, with the breakdown', async () => {
    const result = await runOverhead({
      rounds: 2,
      sequentialRequests: 20,
      concurrentRequests: 40,
      concurrency: 4,
      warmupRequests: 10,
      maxBlockMs: 5000,
      breakdown: { rounds: 1, calls: 50, primitiveOps: 200 },
    })
    for (const name of PEER_NAMES) {
      expect(result.figures.sequential[name].requests).toBe(40)
      expect(result.figures.concurrent[name].requestsPerSecond).toBeGreaterThan(0)
    }
    expect(result.ratios.sequential['sdk/raw']?.median).toBeGreaterThan(0)
    expect(result.breakdown.counts.raw.Request).toBeGreaterThanOrEqual(1)
    expect(result.breakdown.counts.lean.Request).toBe(0)
    scenarios.overhead = entry(result)
  })

  it('times a cold start of every client', async () => {
    const result = await runColdStart({ runsPerPeer: 1 })
    for (const peer of COLD_PEERS) expect(result.peers[peer].sinceStartMs.p50).toBeGreaterThan(0)
    scenarios['cold-start'] = entry(result)
  })

  it('sizes every bundle', async () => {
    const result = await runBundle()
    expect(result.sdk.gzipBytes).toBeGreaterThan(result.raw.gzipBytes)
    expect(result.sdk.gzipBytes).toBeLessThan(result.sdk.minifiedBytes)
    scenarios.bundle = entry(result)
  })

  it('waits with every contender and compares at an equal request count', async () => {
    const result = await runWaiting({
      ...WAITING_QUICK,
      tasks: 4,
      speed: 50,
      maxDurationMs: 10_000,
      intervalsMs: [1000, 5000],
    })
    expect(result.outcomes).toEqual({
      'engine:done': 4,
      'engine-no-eta:done': 4,
      'engine-variant:done': 4,
      'fixed:done': 8,
    })
    expect(result.engineRatioByRound).toHaveLength(1)
    expect(result.contenders['fixed-1s']?.requestsPerTask).toBeGreaterThan(
      result.contenders['fixed-5s']?.requestsPerTask ?? 0,
    )
    expect(result.atEqualRequests.engine.ratio).toBeGreaterThan(0)
    scenarios.waiting = entry(result)
  })

  it('runs many waits under the default budget in both phases', async () => {
    const result = await runScale({ waiters: 40, speed: 100, realTimeSeconds: 1, seed: 7 })
    expect(result.realTime.pendingWhenMeasured).toBe(40)
    expect(result.realTime.abortedAll).toBe(true)
    expect(result.accelerated.outcomes).toEqual({ done: 40 })
    expect(result.accelerated.rejectedByServer).toBe(0)
    scenarios.scale = entry(result)
  })

  it('times tsc on both consumer files', async () => {
    const result = await runCodegen({ generateRuns: 0, tscRuns: 1, turbo: false, generate: false })
    expect(result.tsc.ours.errors).toBe(0)
    expect(result.tsc['flat-api'].errors).toBe(0)
    expect(result.tsc.ours.types).toBeGreaterThan(result.tsc.empty.types)
    scenarios.codegen = entry(result)
  })

  it('renders the targets, the tables and the chart', () => {
    const file: ResultsFile = {
      schema: RESULTS_SCHEMA,
      environment,
      run: { quick: true, only: [], startedAt: environment.date, durationSeconds: 0 },
      scenarios,
      targets: computeTargets(scenarios),
    }
    expect(file.targets.filter((t) => t.status !== 'info')).toHaveLength(14)
    const markdown = renderMarkdown(file)
    for (const heading of ['## Targets', '## 1.', '## 2.', '## 3.', '## 4.', '## 5.', '## 6.']) {
      expect(markdown).toContain(heading)
    }
    expect(markdown).not.toContain('NaN')
    const svg = renderTradeoffSvg(
      tradeoffChart(scenarios.waiting?.result as NonNullable<typeof scenarios.waiting>['result']),
    )
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).not.toContain('NaN')
  })
})

describe('interpolateFixed', () => {
  const curve = [
    { requestsPerTask: 10, delayP50Ms: 1000 },
    { requestsPerTask: 5, delayP50Ms: 2000 },
    { requestsPerTask: 2, delayP50Ms: 5000 },
  ]

  it('reads a measured point exactly', () => {
    const { delayP50Ms, extrapolated } = interpolateFixed(curve, 5)
    expect(delayP50Ms).toBeCloseTo(2000, 6)
    expect(extrapolated).toBe(false)
  })

  it('interpolates between neighbours in log-log space', () => {
    const { delayP50Ms, extrapolated } = interpolateFixed(curve, Math.sqrt(50))
    expect(delayP50Ms).toBeCloseTo(Math.sqrt(2000 * 1000), 6)
    expect(extrapolated).toBe(false)
  })

  it('extends the curve beyond the measured range and says so', () => {
    expect(interpolateFixed(curve, 20).extrapolated).toBe(true)
    expect(interpolateFixed(curve, 1).extrapolated).toBe(true)
  })
})
