import {
  FlatConnectionError,
  FlatMalformedResponseError,
  FlatRateLimitError,
  FlatServerError,
  FlatTimeoutError,
} from '../errors.js'
import type { Clock } from './clock.js'
import { EtaEstimator } from './eta.js'
import { backoffDelayMs, type ResolvedPollingOptions } from './options.js'
import type { PollScheduler } from './scheduler.js'

/** Extra wait after a rate-limit reset, so the first request lands in the new window. */
const RESET_MARGIN_MS = 250
/** Share of the observed task that lands between the predicted finish and the poll after it. */
const ETA_MARGIN_FRACTION = 0.02
const ETA_MARGIN_MAX_MS = 1000
/** Floor for a retry after an error, so a zero initial delay or a past reset never spins. */
const MIN_RETRY_DELAY_MS = 100
/** Likelihood the scheduler gives a task that reports no percent. */
const UNKNOWN_LIKELIHOOD = 0.3

export type Classification = 'pending' | 'done' | 'failed' | 'canceled'

/** Something that can be polled until it settles: a task, an OMR job. */
export interface Pollable<T> {
  /** One poll. `serverWaitMs` > 0 asks the server to hold the request until a change (long poll). */
  fetch(signal: AbortSignal, serverWaitMs: number): Promise<T>
  classify(value: T): Classification
  /** The parts a watcher cares about, as a comparable string: a change is a different fingerprint. */
  fingerprint(value: T): string
  /** Progress in percent, when the value reports one. */
  percent(value: T): number | undefined
}

/** What a loop shares with the client. */
export interface PollEnv {
  clock: Clock
  random: () => number
  scheduler?: PollScheduler | undefined
  /** Longest a rate-limit reset is waited for in one go. */
  maxRateLimitWaitMs: number
}

/** Where a loop stands; saved in a checkpoint so a resumed wait keeps its backoff. */
export interface PollPosition {
  attempt: number
  overdue: number
  /** Created on the first percent seen, so loops of tasks that report none carry no estimator. */
  eta: EtaEstimator | undefined
}

export function newPosition(attempt = 0, eta?: readonly number[]): PollPosition {
  return { attempt, overdue: 0, eta: eta ? EtaEstimator.from(eta) : undefined }
}

export interface PollRun<T> {
  options: ResolvedPollingOptions
  signal?: AbortSignal | undefined
  /** Epoch ms after which the loop gives up; none when undefined. */
  deadlineAt?: number | undefined
  position?: PollPosition | undefined
  /** Server-side wait per poll, in ms (long poll). Default 0. */
  serverWaitMs?: number | undefined
  onChange?: ((value: T) => void) | undefined
  onTransientError?: ((error: unknown) => void) | undefined
}

export interface Observed<T> {
  /** Successful polls. */
  polls: number
  /** Polls that failed with a transient error and were retried. */
  transientErrors: number
  /** The last value seen, if any poll succeeded. */
  last: T | undefined
  elapsedMs: number
}

/** What happened. The loop never throws; the public helpers turn this into a value or an error. */
export type PollOutcome<T> =
  | (Observed<T> & { kind: 'done' | 'failed' | 'canceled'; value: T })
  | (Observed<T> & { kind: 'timeout'; lastError: unknown })
  | (Observed<T> & { kind: 'aborted'; reason: unknown })
  | (Observed<T> & { kind: 'error'; error: unknown })

/** Worth another poll: the server or the network failed, not the request itself. */
export function isTransientError(error: unknown): boolean {
  return (
    error instanceof FlatServerError ||
    error instanceof FlatConnectionError ||
    error instanceof FlatTimeoutError ||
    error instanceof FlatMalformedResponseError ||
    error instanceof FlatRateLimitError
  )
}

const DEADLINE = Symbol('deadline')

/** Receives a loop's changes and its one outcome. */
export interface LoopListener<T> {
  onChange(value: T): void
  onTransientError?(error: unknown): void
  onOutcome(outcome: PollOutcome<T>): void
}

/**
 * One poll loop as an explicit state machine: queued for a slot, fetching, or sleeping. Written as a class rather
 * than an async function so that thousands of pending loops cost a few small objects each, with no per-step
 * promises, closures or abort listeners.
 */
export class PollLoop<T> {
  polls = 0
  transientErrors = 0
  last: T | undefined
  lastError: unknown
  enqueuedAt = 0
  private lastFingerprint: string | undefined
  private timer: unknown
  private controller: AbortController | undefined
  private queued = false
  private finished = false
  private sentAt = 0
  private readonly startedAt: number
  private readonly wake = (): void => {
    this.timer = undefined
    this.next()
  }

  constructor(
    private readonly env: PollEnv,
    private readonly target: Pollable<T>,
    private readonly options: ResolvedPollingOptions,
    readonly position: PollPosition,
    private readonly serverWaitMs: number,
    private readonly listener: LoopListener<T>,
  ) {
    this.startedAt = env.clock.now()
  }

  get done(): boolean {
    return this.finished
  }

  start(): void {
    this.next()
  }

  /** Stops at once: clears the timer, leaves the queue, aborts the request in flight. */
  stop(reason: unknown): void {
    if (this.finished) return
    const outcome: PollOutcome<T> =
      reason === DEADLINE
        ? { kind: 'timeout', lastError: this.lastError, ...this.observed() }
        : { kind: 'aborted', reason, ...this.observed() }
    this.finish(outcome)
    this.controller?.abort(reason)
  }

  /** 0..1: how likely the next poll finds it finished; the scheduler serves likely ones first. */
  likelihood(): number {
    const { eta } = this.position
    const doneAt = eta?.estimateDoneAt()
    if (!eta || doneAt === undefined) return UNKNOWN_LIKELIHOOD
    const span = eta.spanMs() ?? 1
    return Math.max(0, Math.min(1, 1 - (doneAt - this.env.clock.now()) / span))
  }

  /** The scheduler's call: this loop's slot has come. */
  granted(): void {
    this.queued = false
    if (this.finished) return
    this.send()
  }

  observed(): Observed<T> {
    return {
      polls: this.polls,
      transientErrors: this.transientErrors,
      last: this.last,
      elapsedMs: this.env.clock.now() - this.startedAt,
    }
  }

  private next(): void {
    if (this.finished) return
    const { scheduler } = this.env
    if (!scheduler) {
      this.send()
      return
    }
    this.queued = true
    scheduler.enqueue(this)
  }

  private send(): void {
    const controller = new AbortController()
    this.controller = controller
    this.sentAt = this.env.clock.now()
    this.target.fetch(controller.signal, this.serverWaitMs).then(
      (value) => this.received(value),
      (error: unknown) => this.failed(error),
    )
  }

  private received(value: T): void {
    this.controller = undefined
    if (this.finished) return
    this.polls += 1
    this.last = value
    const fingerprint = this.target.fingerprint(value)
    const changed = fingerprint !== this.lastFingerprint
    if (changed) {
      this.lastFingerprint = fingerprint
      this.listener.onChange(value)
      if (this.finished) return
    }
    const state = this.target.classify(value)
    if (state !== 'pending') {
      this.finish({ kind: state, value, ...this.observed() })
      return
    }

    const now = this.env.clock.now()
    const percent = this.target.percent(value)
    if (percent !== undefined) {
      this.position.eta ??= new EtaEstimator()
      this.position.eta.observe(now, percent)
    }
    const heldLongEnough = now - this.sentAt >= this.serverWaitMs / 2
    // A long poll that came back with news, or after holding, is asked again at once.
    const delayMs =
      this.serverWaitMs > 0 && (changed || heldLongEnough) ? 0 : nextDelayMs(this.env, this.options, this.position, now)
    this.sleep(delayMs)
  }

  private failed(error: unknown): void {
    this.controller = undefined
    if (this.finished) return
    if (!isTransientError(error)) {
      this.finish({ kind: 'error', error, ...this.observed() })
      return
    }

    this.transientErrors += 1
    this.lastError = error
    this.listener.onTransientError?.(error)
    const delayMs = retryDelayMs(this.env, this.options, error, this.position.attempt)
    this.position.attempt += 1
    this.sleep(delayMs)
  }

  private sleep(delayMs: number): void {
    if (this.finished) return
    if (delayMs <= 0) {
      this.next()
      return
    }
    this.timer = this.env.clock.setTimeout(this.wake, delayMs)
  }

  private finish(outcome: PollOutcome<T>): void {
    if (this.finished) return
    this.finished = true
    if (this.timer !== undefined) this.env.clock.clearTimeout(this.timer)
    this.timer = undefined
    if (this.queued) this.env.scheduler?.remove(this)
    this.queued = false
    this.listener.onOutcome(outcome)
  }
}

/**
 * Polls until the value settles, the deadline passes, the signal aborts or a permanent error arrives, and reports
 * which. Every timer and listener it creates is released before it resolves.
 */
export function poll<T>(env: PollEnv, target: Pollable<T>, run: PollRun<T>): Promise<PollOutcome<T>> {
  const { clock } = env
  const { signal } = run
  return new Promise((resolve) => {
    let deadline: unknown
    const onAbort = (): void => loop.stop(signal?.reason)
    const loop: PollLoop<T> = new PollLoop(
      env,
      target,
      run.options,
      run.position ?? newPosition(),
      run.serverWaitMs ?? 0,
      {
        onChange: (value) => run.onChange?.(value),
        onTransientError: (error) => run.onTransientError?.(error),
        onOutcome: (outcome) => {
          if (deadline !== undefined) clock.clearTimeout(deadline)
          signal?.removeEventListener('abort', onAbort)
          resolve(outcome)
        },
      },
    )
    if (signal?.aborted) {
      loop.stop(signal.reason)
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (run.deadlineAt !== undefined) {
      deadline = clock.setTimeout(() => loop.stop(DEADLINE), Math.max(0, run.deadlineAt - clock.now()))
    }
    loop.start()
  })
}

/**
 * With a completion estimate, poll just after it (never later than `maxDelayMs`); once past it, back off again
 * from `initialDelayMs`. Without one, plain exponential backoff with jitter.
 */
function nextDelayMs(env: PollEnv, options: ResolvedPollingOptions, position: PollPosition, now: number): number {
  const { eta } = position
  const doneAt = eta?.estimateDoneAt()
  if (eta && doneAt !== undefined) {
    const marginMs = Math.min(ETA_MARGIN_MAX_MS, (eta.spanMs() ?? 0) * ETA_MARGIN_FRACTION)
    const untilDoneMs = doneAt + marginMs - now
    if (untilDoneMs > 0) {
      position.overdue = 0
      position.attempt += 1
      return Math.min(Math.max(untilDoneMs, options.initialDelayMs / 4), options.maxDelayMs)
    }
    const delayMs = backoffDelayMs(options, position.overdue, env.random)
    position.overdue += 1
    return delayMs
  }
  const delayMs = backoffDelayMs(options, position.attempt, env.random)
  position.attempt += 1
  return delayMs
}

/** A rate limit waits for its reset (capped); anything else, or a reset that is missing or past, backs off. */
function retryDelayMs(env: PollEnv, options: ResolvedPollingOptions, error: unknown, attempt: number): number {
  const backoff = Math.max(MIN_RETRY_DELAY_MS, backoffDelayMs(options, attempt, env.random))
  if (!(error instanceof FlatRateLimitError) || !error.resetAt) return backoff
  const untilResetMs = error.resetAt.getTime() - env.clock.now()
  if (!Number.isFinite(untilResetMs) || untilResetMs <= 0) return backoff
  return Math.min(untilResetMs + RESET_MARGIN_MS, env.maxRateLimitWaitMs)
}
