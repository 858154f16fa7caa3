import { startSimulator } from '@flat-api/simulator'
import { describe, expect, it } from 'vitest'
import { createFlatClient, createManualClock } from '../src/index.js'

describe('a wait on a manual clock over real HTTP', () => {
  it('finishes a ten-minute task without sleeping, polling on schedule', async () => {
    const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'))
    const sim = await startSimulator({ now: () => clock.now() })
    try {
      const flat = createFlatClient({
        accessToken: 't',
        baseUrl: sim.baseUrl,
        clock,
        random: () => 0.5,
        requestsPerHour: Number.POSITIVE_INFINITY,
      })
      const created = sim.addTask({ durationMs: 600_000, reportsPercent: false })
      const startedAt = Date.now()
      let result: string | undefined
      const waiting = flat.tasks.wait(created.id).then((task) => {
        result = task.state
      })

      while (result === undefined && (await clock.next())) {}
      await waiting

      expect(result).toBe('done')
      expect(clock.now() - Date.parse('2026-01-01T00:00:00Z')).toBeGreaterThanOrEqual(600_000)
      expect(Date.now() - startedAt).toBeLessThan(5_000)
      expect(clock.pending).toBe(0)
      const polls = sim.requests.filter((r) => r.url === `/v2/tasks/${created.id}`)
      // 500 ms growing by 1.6 up to 15 s, jitter halved by random 0.5: ~50 polls in ten minutes, not hundreds.
      expect(polls.length).toBeGreaterThan(30)
      expect(polls.length).toBeLessThan(80)
    } finally {
      await sim.close()
    }
  })
})
