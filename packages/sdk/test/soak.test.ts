import { describe, expect, it } from 'vitest'
import { FlatTaskCanceledError, FlatTaskFailedError } from '../src/index.js'
import { countTimers, peakInWindow, setup } from './helpers.js'

describe('soak: 2,000 concurrent waits on one client with a budget', () => {
  it('ends every wait with the right outcome and never exceeds the budget', { timeout: 120_000 }, async () => {
    const requestsPerHour = 720_000
    const perSecond = requestsPerHour / 3600
    const { sim, flat } = await setup(
      {},
      { requestsPerHour, polling: { initialDelayMs: 200, maxDelayMs: 2000, jitter: 0.3 } },
    )
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    const timersBefore = countTimers()
    try {
      let seed = 42
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        return seed / 2 ** 31
      }
      const tasks = Array.from({ length: 2000 }, (_, i) => {
        const outcome = i % 20 === 0 ? ('error' as const) : i % 50 === 1 ? ('canceled' as const) : ('done' as const)
        const task = sim.addTask({
          durationMs: 200 + Math.floor(random() * 1300),
          reportsPercent: i % 3 !== 0,
          outcome,
        })
        return { id: task.id, outcome }
      })
      const startedAt = Date.now()

      const settled = await Promise.allSettled(tasks.map((task) => flat.tasks.wait(task.id, { timeoutMs: 100_000 })))

      const elapsedMs = Date.now() - startedAt
      for (const [i, result] of settled.entries()) {
        const expected = tasks[i]?.outcome
        if (expected === 'done') {
          expect(result.status === 'fulfilled' && result.value.state).toBe('done')
        } else {
          expect(result.status).toBe('rejected')
          const reason = (result as PromiseRejectedResult).reason
          expect(reason).toBeInstanceOf(expected === 'error' ? FlatTaskFailedError : FlatTaskCanceledError)
        }
      }
      const arrivals = sim.requests.filter((r) => r.url.startsWith('/v2/tasks/')).map((r) => r.at)
      const peakPerSecond = peakInWindow(arrivals, 1000)
      // Slots are granted exactly 1/rate apart; arrival jitter on loopback can pull one extra into a window.
      expect(peakPerSecond).toBeLessThanOrEqual(perSecond + 2)
      expect(arrivals.length / (elapsedMs / 1000)).toBeLessThanOrEqual(perSecond * 1.01)
      expect(arrivals.length).toBeGreaterThanOrEqual(2000)
      expect(unhandled).toEqual([])
      expect(countTimers()).toBeLessThanOrEqual(timersBefore)
    } finally {
      process.off('unhandledRejection', onUnhandled)
      await sim.close()
    }
  })
})
