import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startSimulator } from '@flat-api/simulator'
import { describe, expect, it } from 'vitest'
import { createFlatClient, FlatNotFoundError, FlatTaskFailedError } from '../src/index.js'
import { countTimers, peakInWindow } from './helpers.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

describe('soak under faults: 2,000 concurrent waits with 30% of responses faulted', () => {
  it('ends every wait with the right outcome, leaks nothing and stays within the budget', {
    timeout: 240_000,
  }, async () => {
    const requestsPerHour = 720_000
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    const timersBefore = countTimers()
    const sim = await startSimulator({
      seed: 2026,
      faults: {
        seed: 2026,
        rate: 0.3,
        paths: /^\/v2\/tasks\//,
        slowMs: 1500,
        hugeBodyBytes: 256 * 1024,
        // A spent budget pauses every waiter for seconds, so it is rare here; it is exercised on its own elsewhere.
        kinds: {
          serverError: 3,
          connectionReset: 2,
          slow: 1,
          malformedJson: 2,
          truncatedJson: 2,
          hugeBody: 0.2,
          rateLimit: 0.05,
        },
      },
    })
    let figures: Record<string, unknown> = {}
    try {
      let flat: ReturnType<typeof createFlatClient> | undefined = createFlatClient({
        accessToken: 'soak',
        baseUrl: sim.baseUrl,
        requestsPerHour,
        timeoutMs: 1000,
        polling: { initialDelayMs: 200, maxDelayMs: 2000, jitter: 0.3 },
      })
      type Expected = 'done' | 'error' | 'vanished'
      const plans: { id: string; expected: Expected }[] = []
      for (let i = 0; i < 2000; i += 1) {
        const expected: Expected = i % 25 === 0 ? 'error' : i % 40 === 7 ? 'vanished' : 'done'
        const task = sim.addTask({
          durationMs: 300 + ((i * 7919) % 1700),
          reportsPercent: i % 3 !== 0,
          outcome: expected === 'error' ? 'error' : 'done',
        })
        plans.push({ id: task.id, expected })
      }
      const vanishAt = setTimeout(() => {
        for (const plan of plans) if (plan.expected === 'vanished') sim.removeTask(plan.id)
      }, 150)
      const startedAt = Date.now()

      const settled = await Promise.allSettled(
        plans.map((plan) => (flat as NonNullable<typeof flat>).tasks.wait(plan.id, { timeoutMs: 200_000 })),
      )

      clearTimeout(vanishAt)
      const elapsedMs = Date.now() - startedAt
      const outcomes: Record<string, number> = {}
      for (const [i, result] of settled.entries()) {
        const expected = plans[i]?.expected
        const label = result.status === 'fulfilled' ? result.value.state : (result.reason as Error).name
        outcomes[label] = (outcomes[label] ?? 0) + 1
        if (expected === 'done') expect(result.status === 'fulfilled' && result.value.state).toBe('done')
        if (expected === 'error') expect((result as PromiseRejectedResult).reason).toBeInstanceOf(FlatTaskFailedError)
        if (expected === 'vanished') {
          // A vanished task may have finished before it vanished; otherwise its wait says 404.
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(FlatNotFoundError)
          else expect(result.value.state).toBe('done')
        }
      }
      const arrivals = sim.requests.filter((r) => r.url.startsWith('/v2/tasks/')).map((r) => r.at)
      figures = {
        waits: plans.length,
        requests: arrivals.length,
        faults: sim.faults.injected,
        outcomes,
        elapsedMs,
        peakPerSecond: peakInWindow(arrivals, 1000),
      }
      expect(Object.values(sim.faults.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(arrivals.length * 0.2)
      expect(peakInWindow(arrivals, 1000)).toBeLessThanOrEqual(requestsPerHour / 3600 + 2)
      expect(unhandled).toEqual([])

      flat = undefined
      settled.length = 0
    } finally {
      process.off('unhandledRejection', onUnhandled)
      await sim.close()
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
    gc()
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore
    console.info(JSON.stringify({ ...figures, heapGrowthBytes, timers: countTimers() - timersBefore }))
    expect(countTimers()).toBeLessThanOrEqual(timersBefore)
    // The simulator's own state (2,000 tasks, the request log) is gone with it; what is left is allocator slack.
    expect(heapGrowthBytes).toBeLessThan(32 * 1024 * 1024)
  })
})
