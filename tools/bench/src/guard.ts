/**
 * Every benchmark talks only to servers it started on loopback. Clients are built against such a base URL, and the
 * fetch they are given can check each URL it sends while `checking` is on (the warm-up), then step aside so the
 * measured rounds pay one function call, the same for every contender.
 */

const LOOPBACK_HOST_RE = /^(?:127(?:\.\d{1,3}){3}|\[::1\])$/

/** Throws unless `url` is http(s) on 127.0.0.0/8 or ::1. */
export function assertLoopback(url: string): void {
  const parsed = new URL(url)
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !LOOPBACK_HOST_RE.test(parsed.hostname)) {
    throw new Error(`benchmarks only send to loopback servers they started, refused ${parsed.origin}`)
  }
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input
  return input instanceof URL ? input.href : input.url
}

export interface GuardedFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** While true, every URL is checked before it is sent; default true. */
  checking: boolean
  /** URLs checked so far. */
  readonly checked: number
}

/** A fetch that refuses anything but the loopback origin `origin` while `checking` is on. */
export function guardedFetch(origin: string, base: typeof fetch = globalThis.fetch): GuardedFetch {
  assertLoopback(origin)
  const prefix = `${new URL(origin).origin}/`
  let checked = 0
  const send = ((input: string | URL | Request, init?: RequestInit) => {
    if (send.checking) {
      const url = urlOf(input)
      if (!url.startsWith(prefix)) throw new Error(`benchmark fetch refused ${url}: only ${prefix} is allowed`)
      checked += 1
    }
    return base(input, init)
  }) as GuardedFetch
  send.checking = true
  Object.defineProperty(send, 'checked', { get: () => checked })
  return send
}
