import {
  FlatConnectionError,
  FlatMalformedResponseError,
  FlatRateLimitError,
  FlatServerError,
  FlatTimeoutError,
} from '../errors.js'
import { type Clock, sleep } from './clock.js'
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
  eta: EtaEstimator
}

export function newPosition(attempt = 0, eta?: readonly number[]): PollPosition {
  return { attempt, overdue: 0, eta: EtaEstimator.from(eta) }
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

/**
 * Polls until the value settles, the deadline passes, the signal aborts or a permanent error arrives, and reports
 * which. Every timer and listener it creates is released before it returns.
 */
export async function poll<T>(env: PollEnv, target: Pollable<T>, run: PollRun<T>): Promise<PollOutcome<T>> {
  const { clock } = env
  const { options, signal } = run
  const position = run.position ?? newPosition()
  const serverWaitMs = run.serverWaitMs ?? 0
  const startedAt = clock.now()
  // Without a deadline the caller's signal is enough; a controller of our own is only needed to add one.
  const inner: { readonly signal: AbortSignal } =
    run.deadlineAt === undefined && signal ? { signal } : new AbortController()
  const own = inner instanceof AbortController ? inner : undefined
  const onAbort = (): void => own?.abort(signal?.reason)
  if (own && signal?.aborted) own.abort(signal.reason)
  if (own) signal?.addEventListener('abort', onAbort, { once: true })
  const deadline =
    run.deadlineAt === undefined || !own
      ? undefined
      : clock.setTimeout(() => own.abort(DEADLINE), Math.max(0, run.deadlineAt - startedAt))

  let polls = 0
  let transientErrors = 0
  let last: T | undefined
  let lastError: unknown
  let lastFingerprint: string | undefined
  const observed = (): Observed<T> => ({ polls, transientErrors, last, elapsedMs: clock.now() - startedAt })
  const stopped = (): PollOutcome<T> => {
    const reason: unknown = inner.signal.reason
    if (reason === DEADLINE) return { kind: 'timeout', lastError, ...observed() }
    return { kind: 'aborted', reason, ...observed() }
  }
  const likelihood = (): number => {
    const doneAt = position.eta.estimateDoneAt()
    if (doneAt === undefined) return UNKNOWN_LIKELIHOOD
    const span = position.eta.spanMs() ?? 1
    return Math.max(0, Math.min(1, 1 - (doneAt - clock.now()) / span))
  }

  try {
    while (!inner.signal.aborted) {
      let delayMs: number
      try {
        await env.scheduler?.acquire({ likelihood, signal: inner.signal })
        const sentAt = clock.now()
        const value = await target.fetch(inner.signal, serverWaitMs)
        polls += 1
        last = value
        const fingerprint = target.fingerprint(value)
        const changed = fingerprint !== lastFingerprint
        if (changed) {
          lastFingerprint = fingerprint
          run.onChange?.(value)
        }
        const state = target.classify(value)
        if (state !== 'pending') return { kind: state, value, ...observed() }

        const now = clock.now()
        position.eta.observe(now, target.percent(value))
        const answeredQuickly = now - sentAt < serverWaitMs / 2
        if (serverWaitMs > 0 && (changed || !answeredQuickly)) {
          // The server held the request until something happened: ask again at once.
          delayMs = 0
        } else {
          delayMs = nextDelayMs(env, options, position, now)
        }
      } catch (error) {
        if (inner.signal.aborted) return stopped()
        if (!isTransientError(error)) return { kind: 'error', error, ...observed() }
        transientErrors += 1
        lastError = error
        run.onTransientError?.(error)
        delayMs = retryDelayMs(env, options, error, position.attempt)
        position.attempt += 1
      }
      try {
        if (delayMs > 0) await sleep(delayMs, clock, inner.signal)
      } catch {
        return stopped()
      }
    }
    return stopped()
  } finally {
    if (deadline !== undefined) clock.clearTimeout(deadline)
    if (own) signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * With a completion estimate, poll just after it (never later than `maxDelayMs`); once past it, back off again
 * from `initialDelayMs`. Without one, plain exponential backoff with jitter.
 */
function nextDelayMs(env: PollEnv, options: ResolvedPollingOptions, position: PollPosition, now: number): number {
  const doneAt = position.eta.estimateDoneAt()
  if (doneAt !== undefined) {
    const marginMs = Math.min(ETA_MARGIN_MAX_MS, (position.eta.spanMs() ?? 0) * ETA_MARGIN_FRACTION)
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
