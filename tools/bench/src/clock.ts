import type { Clock } from '@flat-api/sdk'

/**
 * A real clock running `speed` times faster than wall time: timers really fire, just sooner, so a run of
 * simulated hours takes minutes while every request still crosses real HTTP.
 */
export function acceleratedClock(speed: number, startMs = Date.now()): Clock & { speed: number } {
  const realStart = performance.now()
  return {
    speed,
    now: () => startMs + (performance.now() - realStart) * speed,
    setTimeout: (callback, ms) => setTimeout(callback, Math.max(0, ms) / speed),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
}
