import type { Clock } from './clock.js'
import {
  type LoopListener,
  type Pollable,
  type PollEnv,
  PollLoop,
  type PollOutcome,
  type PollPosition,
} from './core.js'
import type { ResolvedPollingOptions } from './options.js'

/** How a shared loop is started when its first subscriber arrives. */
export interface LoopSpec<T> {
  target: Pollable<T>
  options: ResolvedPollingOptions
  position: PollPosition
  serverWaitMs?: number
}

export interface SubscriberSpec<T> {
  readonly signal?: AbortSignal | undefined
  /** Epoch ms after which this subscriber alone gives up. */
  readonly deadlineAt: number
  onChange?(value: T): void
  /** Called once with how it ended for this subscriber. */
  onOutcome(outcome: PollOutcome<T>): void
}

export interface Subscription {
  /** Detaches this subscriber alone; it ends as aborted with `reason`. The loop stops when nobody is left. */
  leave(reason?: unknown): void
}

/** One subscriber of a shared loop; a class so a pending wait is a single small object. */
class Subscriber<T> implements Subscription {
  timer: unknown
  onAbort: (() => void) | undefined
  readonly joinedAt: number

  constructor(
    readonly group: Group<T>,
    readonly spec: SubscriberSpec<T>,
  ) {
    this.joinedAt = group.hub.clock.now()
  }

  leave(reason?: unknown): void {
    this.group.detach(this, { kind: 'aborted', reason, ...this.group.observedBy(this) })
  }

  expire(): void {
    this.timer = undefined
    const { loop } = this.group
    this.group.detach(this, { kind: 'timeout', lastError: loop.lastError, ...this.group.observedBy(this) })
  }
}

/** A loop and everyone waiting on it. */
class Group<T> implements LoopListener<T> {
  // An array, not a Set: most loops have one subscriber, and a Set's table costs more than the waiter itself.
  readonly subscribers: Subscriber<T>[] = []
  readonly loop: PollLoop<T>

  constructor(
    readonly hub: PollHub,
    readonly key: string,
    spec: LoopSpec<T>,
  ) {
    this.loop = new PollLoop(hub.env, spec.target, spec.options, spec.position, spec.serverWaitMs ?? 0, this)
  }

  observedBy(subscriber: Subscriber<T>) {
    return { ...this.loop.observed(), elapsedMs: this.hub.clock.now() - subscriber.joinedAt }
  }

  onChange(value: T): void {
    for (const subscriber of this.subscribers) subscriber.spec.onChange?.(value)
  }

  onOutcome(outcome: PollOutcome<T>): void {
    this.hub.forget(this)
    for (const subscriber of [...this.subscribers]) {
      this.detach(subscriber, { ...outcome, elapsedMs: this.hub.clock.now() - subscriber.joinedAt })
    }
  }

  detach(subscriber: Subscriber<T>, outcome: PollOutcome<T>): void {
    const index = this.subscribers.indexOf(subscriber)
    if (index < 0) return
    this.subscribers.splice(index, 1)
    if (subscriber.timer !== undefined) this.hub.clock.clearTimeout(subscriber.timer)
    if (subscriber.onAbort) subscriber.spec.signal?.removeEventListener('abort', subscriber.onAbort)
    subscriber.spec.onOutcome(outcome)
    if (this.subscribers.length === 0 && !this.loop.done) {
      this.hub.forget(this)
      this.loop.stop(undefined)
    }
  }
}

/**
 * Coalesces waits: every subscriber to the same key shares one poll loop. A subscriber's abort or deadline detaches
 * only that subscriber; the loop stops when the last one leaves.
 */
export class PollHub {
  private readonly groups = new Map<string, Group<unknown>>()

  constructor(
    readonly env: PollEnv,
    readonly clock: Clock,
  ) {}

  /** Loops currently running. */
  get size(): number {
    return this.groups.size
  }

  /** Where the loop for `key` stands, for checkpoints. */
  position(key: string): PollPosition | undefined {
    return this.groups.get(key)?.loop.position
  }

  /** Subscribes to the loop for `key`, starting it if none runs. */
  join<T>(key: string, start: () => LoopSpec<T>, spec: SubscriberSpec<T>): Subscription {
    if (spec.signal?.aborted) {
      spec.onOutcome({
        kind: 'aborted',
        reason: spec.signal.reason,
        polls: 0,
        transientErrors: 0,
        last: undefined,
        elapsedMs: 0,
      })
      return { leave: () => {} }
    }
    let group = this.groups.get(key) as Group<T> | undefined
    const fresh = !group
    if (!group) {
      group = new Group(this, key, start())
      this.groups.set(key, group as Group<unknown>)
    }
    const subscriber = new Subscriber(group, spec)
    group.subscribers.push(subscriber)
    subscriber.timer = this.clock.setTimeout(
      () => subscriber.expire(),
      Math.max(0, spec.deadlineAt - subscriber.joinedAt),
    )
    if (spec.signal) {
      const { signal } = spec
      subscriber.onAbort = () => subscriber.leave(signal.reason)
      signal.addEventListener('abort', subscriber.onAbort, { once: true })
    }
    // A late joiner first learns where the task stands now.
    if (group.loop.last !== undefined) spec.onChange?.(group.loop.last)
    if (fresh) group.loop.start()
    return subscriber
  }

  /** Drops a group that ended, unless a newer one already took its key. */
  forget(group: { key: string }): void {
    if ((this.groups.get(group.key) as { key: string } | undefined) === group) this.groups.delete(group.key)
  }
}
