/**
 * The long soak: many concurrent waits on one client while 30% of task responses are faulted. Every wait must end
 * right (done, or the typed error of a task that really failed or vanished), nothing may be left behind, and the
 * request rate must stay within the budget.
 *
 *   node --expose-gc --import tsx tools/bench/src/soak.ts [--waits 100000] [--per-second 500]
 */
import { parseArgs } from 'node:util'
import { createFlatClient } from '@flat-api/sdk'
import { startSimulator } from '@flat-api/simulator'
import { peakPerWindow } from './scale.js'

function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

export async function runSoak(waits: number, perSecond: number) {
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  const timersBefore = process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  const sim = await startSimulator({
    seed: 100_000,
    logRequests: true,
    faults: {
      seed: 100_000,
      rate: 0.3,
      paths: /^\/v2\/tasks\//,
      slowMs: 1500,
      hugeBodyBytes: 64 * 1024,
      kinds: {
        serverError: 3,
        connectionReset: 2,
        slow: 1,
        malformedJson: 2,
        truncatedJson: 2,
        hugeBody: 0.2,
        rateLimit: 0.02,
      },
    },
  })
  const expected = new Map<string, 'done' | 'error' | 'vanished'>()
  for (let i = 0; i < waits; i += 1) {
    const kind = i % 25 === 0 ? 'error' : i % 40 === 7 ? 'vanished' : 'done'
    const task = sim.addTask({
      durationMs: 500 + ((i * 7919) % 4500),
      reportsPercent: i % 3 !== 0,
      outcome: kind === 'error' ? 'error' : 'done',
    })
    expected.set(task.id, kind)
  }
  const flat = createFlatClient({
    accessToken: 'soak',
    baseUrl: sim.baseUrl,
    requestsPerHour: perSecond * 3600,
    timeoutMs: 1000,
    polling: { initialDelayMs: 500, maxDelayMs: 5000, jitter: 0.3, timeoutMs: 6 * 3_600_000 },
  })
  const vanish = setTimeout(() => {
    for (const [id, kind] of expected) if (kind === 'vanished') sim.removeTask(id)
  }, 300)
  const startedAt = Date.now()
  const outcomes: Record<string, number> = {}
  let wrong = 0
  await Promise.all(
    [...expected].map(([id, kind]) =>
      flat.tasks.wait(id).then(
        (task) => {
          outcomes[task.state] = (outcomes[task.state] ?? 0) + 1
          if (kind === 'error') wrong += 1
        },
        (error: Error) => {
          outcomes[error.name] = (outcomes[error.name] ?? 0) + 1
          const right =
            (kind === 'error' && error.name === 'FlatTaskFailedError') ||
            (kind === 'vanished' && error.name === 'FlatNotFoundError')
          if (!right) wrong += 1
        },
      ),
    ),
  )
  clearTimeout(vanish)
  const elapsedMs = Date.now() - startedAt
  const arrivals = sim.requests.filter((r) => r.url.startsWith('/v2/tasks/')).map((r) => r.at)
  const injected = { ...sim.faults.injected }
  await sim.close()
  process.off('unhandledRejection', onUnhandled)
  expected.clear()
  await new Promise((resolve) => setTimeout(resolve, 100))
  gc()
  return {
    waits,
    budgetPerSecond: perSecond,
    elapsedSeconds: elapsedMs / 1000,
    requests: arrivals.length,
    faultsInjected: injected,
    faultsTotal: Object.values(injected).reduce((a, b) => a + b, 0),
    outcomes,
    wrongOutcomes: wrong,
    unhandledRejections: unhandled.length,
    meanPerSecond: arrivals.length / (elapsedMs / 1000),
    peakPerSecond: peakPerWindow(
      [...arrivals].sort((a, b) => a - b),
      1000,
    ),
    timersLeft: process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length - timersBefore,
    activeResources: process.getActiveResourcesInfo(),
    heapGrowthBytesAfterGc: process.memoryUsage().heapUsed - heapBefore,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { waits: { type: 'string', default: '100000' }, 'per-second': { type: 'string', default: '500' } },
  })
  const result = await runSoak(Number(values.waits), Number(values['per-second']))
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  process.exitCode = result.wrongOutcomes === 0 && result.unhandledRejections === 0 ? 0 : 1
}
