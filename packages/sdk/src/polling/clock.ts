/**
 * Time as the SDK sees it. Inject one (with `random`) to run a whole wait deterministically in a test.
 * `setTimeout` must call back once after `ms` and return a handle `clearTimeout` accepts.
 */
export interface Clock {
  /** The current time in milliseconds (epoch milliseconds for the system clock). */
  now(): number
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  /** Cancels a pending timer by its handle; must accept a handle that already fired or was cleared. */
  clearTimeout(handle: unknown): void
  /** Told of each request in flight, so a test clock can let I/O finish before firing the next timer. Optional. */
  track?(work: Promise<unknown>): void
}

/** Node and browsers cap timers at 2^31-1 ms; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** The real clock: `Date.now()` and the global timers, each delay clamped to 0 .. 2^31-1 ms. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Resolves after `ms`, or rejects with the signal's reason the moment it aborts.
 * The timer and the abort listener are both released on every path.
 */
export function sleep(ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle)
      reject(signal?.reason)
    }
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** A clock that only moves when told to: for tests of code that waits. */
export interface ManualClock extends Clock {
  /** Moves time forward, firing every timer that falls due, in order, and letting promises settle in between. */
  advance(ms: number): Promise<void>
  /** Advances to the next pending timer and fires it; resolves false when none is pending. */
  next(): Promise<boolean>
  /** Timers not yet fired. */
  readonly pending: number
}

interface ManualTimer {
  at: number
  seq: number
  callback: () => void
}

const turns = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0))
}

/** Creates a ManualClock starting at `startMs` (epoch milliseconds). Default 0. */
export function createManualClock(startMs = 0): ManualClock {
  let now = startMs
  let seq = 0
  const timers = new Map<number, ManualTimer>()
  const inFlight = new Set<Promise<unknown>>()
  // Requests in flight finish (and the awaits after them run) before any timer fires, as they would in real time.
  const settle = async (): Promise<void> => {
    await turns(2)
    while (inFlight.size > 0) {
      await Promise.allSettled([...inFlight])
      await turns(2)
    }
  }
  const due = (): ManualTimer | undefined => {
    let first: ManualTimer | undefined
    for (const timer of timers.values()) {
      if (!first || timer.at < first.at || (timer.at === first.at && timer.seq < first.seq)) first = timer
    }
    return first
  }
  return {
    now: () => now,
    setTimeout(callback, ms) {
      seq += 1
      timers.set(seq, { at: now + Math.max(0, ms), seq, callback })
      return seq
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    track(work) {
      inFlight.add(work)
      work.then(
        () => inFlight.delete(work),
        () => inFlight.delete(work),
      )
    },
    get pending() {
      return timers.size
    },
    async advance(ms) {
      const until = now + ms
      await settle()
      for (let timer = due(); timer && timer.at <= until; timer = due()) {
        timers.delete(timer.seq)
        now = Math.max(now, timer.at)
        timer.callback()
        await settle()
      }
      now = until
    },
    async next() {
      await settle()
      const timer = due()
      if (!timer) return false
      timers.delete(timer.seq)
      now = Math.max(now, timer.at)
      timer.callback()
      await settle()
      return true
    },
  }
}

/** Links `child` to `parent`: aborting the parent aborts the child. Returns the unlink function. */
export function linkAbort(parent: AbortSignal | undefined, child: AbortController): () => void {
  if (!parent) return () => {}
  if (parent.aborted) {
    child.abort(parent.reason)
    return () => {}
  }
  const onAbort = (): void => child.abort(parent.reason)
  parent.addEventListener('abort', onAbort, { once: true })
  return () => parent.removeEventListener('abort', onAbort)
}
