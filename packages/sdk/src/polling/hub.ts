import type { Clock } from './clock.js'
import { type Observed, type Pollable, type PollEnv, type PollOutcome, type PollPosition, poll } from './core.js'
import type { ResolvedPollingOptions } from './options.js'

/** How a shared loop is started when its first subscriber arrives. */
export interface LoopSpec<T> {
  target: Pollable<T>
  options: ResolvedPollingOptions
  position: PollPosition
  serverWaitMs?: number
}

export interface SubscriberSpec<T> {
  signal?: AbortSignal | undefined
  /** Epoch ms after which this subscriber alone gives up. */
  deadlineAt: number
  onChange?: ((value: T) => void) | undefined
}

export interface Subscription<T> {
  outcome: Promise<PollOutcome<T>>
  leave(reason?: unknown): void
}

interface Subscriber<T> {
  spec: SubscriberSpec<T>
  joinedAt: number
  timer: unknown
  onAbort: () => void
  resolve: (outcome: PollOutcome<T>) => void
}

interface Loop<T> {
  key: string
  subscribers: Set<Subscriber<T>>
  controller: AbortController
  position: PollPosition
  last: T | undefined
  lastError: unknown
  polls: number
  transientErrors: number
  finished: boolean
}

/**
 * Coalesces waits: every subscriber to the same key shares one poll loop. A subscriber's abort or deadline detaches
 * only that subscriber; the loop stops when the last one leaves.
 */
export class PollHub {
  private readonly loops = new Map<string, Loop<unknown>>()

  constructor(
    private readonly env: PollEnv,
    private readonly clock: Clock,
  ) {}

  /** Loops currently running. */
  get size(): number {
    return this.loops.size
  }

  /** Where the loop for `key` stands, for checkpoints. */
  position(key: string): PollPosition | undefined {
    return this.loops.get(key)?.position
  }

  /**
   * Subscribes to the loop for `key`, starting it if none runs. `leave()` detaches this subscriber alone (its
   * promise resolves as aborted with `reason`); the loop stops when nobody is left.
   */
  join<T>(key: string, start: () => LoopSpec<T>, spec: SubscriberSpec<T>): Subscription<T> {
    if (spec.signal?.aborted) {
      const outcome: PollOutcome<T> = {
        kind: 'aborted',
        reason: spec.signal.reason,
        polls: 0,
        transientErrors: 0,
        last: undefined,
        elapsedMs: 0,
      }
      return { outcome: Promise.resolve(outcome), leave: () => {} }
    }
    const loop = (this.loops.get(key) as Loop<T> | undefined) ?? this.startLoop(key, start())
    let subscriber: Subscriber<T> | undefined
    const leave = (reason?: unknown): void => {
      if (subscriber) this.detach(loop, subscriber, { kind: 'aborted', reason, ...this.observed(loop, subscriber) })
    }
    const outcome = new Promise<PollOutcome<T>>((resolve) => {
      const joined: Subscriber<T> = {
        spec,
        joinedAt: this.clock.now(),
        timer: undefined,
        onAbort: () => leave(spec.signal?.reason),
        resolve,
      }
      subscriber = joined
      joined.timer = this.clock.setTimeout(
        () => this.detach(loop, joined, { kind: 'timeout', lastError: loop.lastError, ...this.observed(loop, joined) }),
        Math.max(0, spec.deadlineAt - joined.joinedAt),
      )
      spec.signal?.addEventListener('abort', joined.onAbort, { once: true })
      loop.subscribers.add(joined)
    })
    // A late joiner first learns where the task stands now.
    if (loop.last !== undefined) spec.onChange?.(loop.last)
    return { outcome, leave }
  }

  private observed<T>(loop: Loop<T>, subscriber: Subscriber<T>): Observed<T> {
    return {
      polls: loop.polls,
      transientErrors: loop.transientErrors,
      last: loop.last,
      elapsedMs: this.clock.now() - subscriber.joinedAt,
    }
  }

  private startLoop<T>(key: string, spec: LoopSpec<T>): Loop<T> {
    const loop: Loop<T> = {
      key,
      subscribers: new Set(),
      controller: new AbortController(),
      position: spec.position,
      last: undefined,
      lastError: undefined,
      polls: 0,
      transientErrors: 0,
      finished: false,
    }
    this.loops.set(key, loop as Loop<unknown>)
    const countingTarget: Pollable<T> = {
      ...spec.target,
      fetch: async (signal, serverWaitMs) => {
        const value = await spec.target.fetch(signal, serverWaitMs)
        loop.polls += 1
        return value
      },
    }
    poll(this.env, countingTarget, {
      options: spec.options,
      signal: loop.controller.signal,
      position: spec.position,
      serverWaitMs: spec.serverWaitMs,
      onChange: (value) => {
        loop.last = value
        for (const subscriber of loop.subscribers) subscriber.spec.onChange?.(value)
      },
      onTransientError: (error) => {
        loop.transientErrors += 1
        loop.lastError = error
      },
    }).then((outcome) => this.finish(loop, outcome))
    return loop
  }

  private finish<T>(loop: Loop<T>, outcome: PollOutcome<T>): void {
    loop.finished = true
    if (this.loops.get(loop.key) === loop) this.loops.delete(loop.key)
    for (const subscriber of [...loop.subscribers]) {
      this.detach(loop, subscriber, { ...outcome, elapsedMs: this.clock.now() - subscriber.joinedAt })
    }
  }

  private detach<T>(loop: Loop<T>, subscriber: Subscriber<T>, outcome: PollOutcome<T>): void {
    if (!loop.subscribers.delete(subscriber)) return
    this.clock.clearTimeout(subscriber.timer)
    subscriber.spec.signal?.removeEventListener('abort', subscriber.onAbort)
    subscriber.resolve(outcome)
    if (loop.subscribers.size === 0 && !loop.finished) {
      loop.finished = true
      if (this.loops.get(loop.key) === loop) this.loops.delete(loop.key)
      loop.controller.abort()
    }
  }
}
