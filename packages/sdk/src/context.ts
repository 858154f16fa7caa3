import type { RawClient } from '@flat-api/raw'
import type { Logger } from './logger.js'
import type { Clock } from './polling/clock.js'
import type { PollEnv } from './polling/core.js'
import type { PollHub } from './polling/hub.js'
import type { ResolvedPollingOptions } from './polling/options.js'
import type { PollScheduler } from './polling/scheduler.js'
import type { FetchLike, RequestSettings, TransportConfig } from './transport.js'

/** What the resource helpers share within one client. */
export interface ClientContext {
  raw: RawClient
  polling: ResolvedPollingOptions
  clock: Clock
  random: () => number
  logger: Logger | undefined
  scheduler: PollScheduler
  hub: PollHub
  /** What a poll loop of this client shares: clock, randomness, the request budget. */
  pollEnv: PollEnv
  /** Reports a state string the SDK does not know, once per client and state. */
  reportUnknownState(state: string, subject: string): void
  /** The client's transport settings: base URL, token, timeout, retries. */
  transport: TransportConfig
  /** A fetch for one raw call with other settings (timeout, retries, auth); pass it as that call's `fetch`. */
  fetchWith(settings: RequestSettings): FetchLike
  /** The fetch for one poll: sent once, since the poll loop retries on its own schedule and budget. */
  pollFetch: FetchLike
}
