import type { Clock } from './clock.js'

/** Flat's documented budget per account. */
export const FLAT_REQUESTS_PER_HOUR = 7200
const HOUR_MS = 3_600_000
/** Extra pause after a window resets, so the first request lands inside the new one. */
const RESET_MARGIN_MS = 250
const SLOT_SLACK = 1.01

export interface SlotRequest {
  /** 0..1: how likely the next poll finds the task finished. Higher goes first. */
  likelihood(): number
  signal?: AbortSignal | undefined
}

/** A queued claim on the next slot; poll loops implement it directly, so queueing allocates nothing. */
export interface SchedulerItem {
  /** 0..1: how likely the next poll finds the task finished. Higher goes first. */
  likelihood(): number
  /** Called once when the slot is granted. */
  granted(): void
  /** Set by the scheduler while queued. */
  enqueuedAt: number
}

export interface SchedulerStats {
  granted: number
  pending: number
  /** Requests per hour currently allowed, after adapting to the server's headers. */
  effectivePerHour: number
}

/**
 * One request budget per client, shared by every poll loop. Slots are spaced evenly at the budgeted rate (no
 * bursts, so the rate holds over any window), and each slot goes to the waiter with the best claim: how long it has
 * queued, weighted by how likely its task is done.
 */
export class PollScheduler {
  private readonly clock: Clock
  private readonly basePerMs: number
  private readonly queue: SchedulerItem[] = []
  private nextSlotAt = Number.NEGATIVE_INFINITY
  private pausedUntil = Number.NEGATIVE_INFINITY
  private adaptivePerMs = Number.POSITIVE_INFINITY
  private adaptiveUntil = Number.NEGATIVE_INFINITY
  private timer: unknown
  private timerAt = Number.POSITIVE_INFINITY
  private granted = 0

  constructor(clock: Clock, requestsPerHour: number = FLAT_REQUESTS_PER_HOUR) {
    if (typeof requestsPerHour !== 'number' || Number.isNaN(requestsPerHour) || requestsPerHour <= 0) {
      throw new RangeError(`requestsPerHour must be a positive number or Infinity, got ${String(requestsPerHour)}`)
    }
    this.clock = clock
    this.basePerMs = requestsPerHour / HOUR_MS
  }

  stats(): SchedulerStats {
    return { granted: this.granted, pending: this.queue.length, effectivePerHour: this.ratePerMs() * HOUR_MS }
  }

  private ratePerMs(): number {
    const now = this.clock.now()
    if (now >= this.adaptiveUntil) return this.basePerMs
    return Math.min(this.basePerMs, this.adaptivePerMs)
  }

  /**
   * Adapts to `X-RateLimit-Remaining` and `X-RateLimit-Reset` seen on any response: the rest of the window's
   * budget is spread over the time left, and an exhausted budget pauses every waiter until the reset.
   */
  observe(remaining: number | undefined, resetAt: Date | undefined): void {
    if (remaining === undefined || resetAt === undefined) return
    const now = this.clock.now()
    const resetMs = resetAt.getTime()
    if (!Number.isFinite(resetMs) || resetMs <= now) return
    if (remaining <= 0) {
      // An exhausted budget is the server's word, so it pauses even an unpaced client.
      this.pausedUntil = Math.max(this.pausedUntil, resetMs + RESET_MARGIN_MS)
    } else if (this.basePerMs !== Number.POSITIVE_INFINITY) {
      this.adaptivePerMs = remaining / (resetMs - now)
      this.adaptiveUntil = resetMs
    }
    if (this.queue.length > 0) {
      // The next slot may have moved: re-arm the timer for it.
      this.clearTimer()
      this.arm(now)
    }
  }

  /** Resolves when the caller may send one request; rejects with the signal's reason if it aborts first. */
  acquire(request: SlotRequest): Promise<void> {
    const { signal } = request
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const item: SchedulerItem = {
        enqueuedAt: 0,
        likelihood: () => request.likelihood(),
        granted: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        this.remove(item)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.enqueue(item)
    })
  }

  /** Queues `item`; its `granted()` is called when its slot comes, possibly at once. */
  enqueue(item: SchedulerItem): void {
    const now = this.clock.now()
    if (this.basePerMs === Number.POSITIVE_INFINITY && this.queue.length === 0) {
      if (now >= this.pausedUntil && now >= this.adaptiveUntil) {
        this.granted += 1
        item.granted()
        return
      }
    }
    item.enqueuedAt = now
    this.queue.push(item)
    // Slots are handed out from the timer only: waits created in one long synchronous loop would otherwise all be
    // granted by the clock and then leave together when the loop yields.
    this.arm(now)
  }

  /** Drops a queued item (its loop stopped); a no-op if it was already granted. */
  remove(item: SchedulerItem): void {
    const index = this.queue.indexOf(item)
    if (index < 0) return
    this.queue.splice(index, 1)
    if (this.queue.length === 0) this.clearTimer()
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
  }

  /** Makes sure a timer will serve the queue: at the next slot, or on the next turn if one is free now. */
  private arm(now: number): void {
    if (this.timer !== undefined) return
    const wakeAt = Math.max(now, this.nextSlotAt, this.pausedUntil)
    this.timerAt = wakeAt
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAt = Number.POSITIVE_INFINITY
      this.pump()
    }, wakeAt - now)
  }

  private pump(): void {
    const now = this.clock.now()
    if (this.queue.length === 0) {
      this.clearTimer()
      return
    }
    const rate = this.ratePerMs()
    // 1% over the exact spacing absorbs the few milliseconds a grant takes to reach the wire, so no window of the
    // budget's length ever holds one request too many.
    const spacingMs = rate === Number.POSITIVE_INFINITY ? 0 : (1 / rate) * SLOT_SLACK
    const readyAt = Math.max(this.nextSlotAt, this.pausedUntil)
    if (now >= readyAt) {
      if (spacingMs === 0) {
        // No pacing: release everyone at once, best claims first.
        while (this.queue.length) this.grant(this.takeBest(now))
        this.clearTimer()
        return
      }
      this.grant(this.takeBest(now))
      this.nextSlotAt = now + spacingMs
    }
    if (this.queue.length === 0) {
      this.clearTimer()
      return
    }
    const wakeAt = Math.max(this.nextSlotAt, this.pausedUntil)
    if (this.timer !== undefined && this.timerAt === wakeAt) return
    this.clearTimer()
    this.timerAt = wakeAt
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAt = Number.POSITIVE_INFINITY
      this.pump()
    }, wakeAt - now)
  }

  private takeBest(now: number): SchedulerItem {
    let bestIndex = 0
    let bestScore = Number.NEGATIVE_INFINITY
    for (let i = 0; i < this.queue.length; i += 1) {
      const item = this.queue[i] as SchedulerItem
      // Waiting time keeps it fair; likelihood lets a task that is probably done jump ahead.
      const score = (now - item.enqueuedAt + 1) * (0.5 + item.likelihood())
      if (score > bestScore) {
        bestScore = score
        bestIndex = i
      }
    }
    const last = this.queue.pop() as SchedulerItem
    if (bestIndex === this.queue.length) return last
    const best = this.queue[bestIndex] as SchedulerItem
    // Swap-remove: order in the queue carries no meaning, so O(1) instead of a splice.
    this.queue[bestIndex] = last
    return best
  }

  private grant(item: SchedulerItem): void {
    this.granted += 1
    item.granted()
  }
}
