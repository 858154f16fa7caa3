import { seededRandom } from './random.js'

export const FAULT_KINDS = [
  'serverError',
  'rateLimit',
  'connectionReset',
  'slow',
  'malformedJson',
  'truncatedJson',
  'hugeBody',
  'redirectLoop',
] as const

/**
 * - `serverError`: 500, 502 or 503, half of them with an empty body.
 * - `rateLimit`: 403 `API_RATE_LIMIT_EXCEEDED` whose `X-RateLimit-Reset` is 2 to 4 seconds ahead.
 * - `connectionReset`: the operation runs, then the socket is reset after the headers or part of the body.
 * - `slow`: the answer comes `slowMs` late.
 * - `malformedJson`: 200 `application/json` whose body does not parse.
 * - `truncatedJson`: the operation runs; `Content-Length` announces the whole body, half is sent, then the socket closes.
 * - `hugeBody`: 200 with a valid JSON body of `hugeBodyBytes`.
 * - `redirectLoop`: 302 to the same URL, again and again, past what `fetch` follows (20 redirects).
 */
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultOptions {
  /** Seed of the fault sequence. Default the simulator's seed. */
  seed?: number
  /** Fraction of eligible requests that get a fault. Default 0.1. */
  rate?: number
  /** Relative weights; kinds left out never happen. Default every kind, weight 1. */
  kinds?: Partial<Record<FaultKind, number>>
  /** Which request paths are eligible. Default `/v2/` operations only. */
  paths?: RegExp
  /** Also inject on the file host (its paths start with `/files/`). Default false. */
  fileHost?: boolean
  /** Delay of a `slow` answer in milliseconds. Default 5000. */
  slowMs?: number
  /** Size of a `hugeBody` answer in bytes. Default 8 MiB. */
  hugeBodyBytes?: number
}

export interface InjectedFault {
  kind: FaultKind
  method: string
  url: string
  at: number
  /** The variant drawn, e.g. `503 empty` or `after-headers`. */
  detail: string
}

export interface FaultStats {
  /** Faults injected so far, by kind; a redirect loop counts once however many hops it takes. */
  readonly injected: Readonly<Record<FaultKind, number>>
  /** Which request got which fault, in order. */
  readonly log: readonly InjectedFault[]
}

export type Fault =
  | { kind: 'serverError'; status: 500 | 502 | 503; empty: boolean }
  | { kind: 'rateLimit'; resetInSec: number }
  | { kind: 'connectionReset'; afterHeaders: boolean }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformedJson'; body: string }
  | { kind: 'truncatedJson' }
  | { kind: 'hugeBody'; bytes: number }
  | { kind: 'redirectLoop' }

const MALFORMED_BODIES = ['{"id":"', '<html><body>Bad gateway</body></html>', '{"id": "x", "state": done}', '[1, 2,']
/** One more than the redirects `fetch` follows, so the loop outlasts it. */
const REDIRECT_LOOP_HOPS = 21
const SERVER_ERROR_STATUSES = [500, 502, 503] as const

/** Draws faults from its own seeded sequence: the same seed and request order give the same faults. */
export class FaultInjector implements FaultStats {
  readonly injected: Record<FaultKind, number>
  readonly log: InjectedFault[] = []
  private readonly random: () => number
  private readonly rate: number
  private readonly weights: [FaultKind, number][]
  private readonly totalWeight: number
  private readonly paths: RegExp
  private readonly fileHost: boolean
  private readonly slowMs: number
  private readonly hugeBodyBytes: number
  /** URLs inside a redirect loop, with the hops left. */
  private readonly loops = new Map<string, number>()

  constructor(options: FaultOptions | undefined, defaultSeed: number) {
    this.injected = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>
    this.random = seededRandom(options?.seed ?? defaultSeed)
    this.rate = options ? (options.rate ?? 0.1) : 0
    if (!(this.rate >= 0 && this.rate <= 1))
      throw new RangeError(`faults.rate must be between 0 and 1, got ${this.rate}`)
    const kinds = options?.kinds ?? Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 1]))
    this.weights = FAULT_KINDS.flatMap((kind) => {
      const weight = kinds[kind] ?? 0
      if (!(weight >= 0)) throw new RangeError(`faults.kinds.${kind} must be >= 0, got ${weight}`)
      return weight > 0 ? [[kind, weight] as [FaultKind, number]] : []
    })
    this.totalWeight = this.weights.reduce((sum, [, weight]) => sum + weight, 0)
    this.paths = options?.paths ?? /^\/v2\//
    this.fileHost = options?.fileHost ?? false
    this.slowMs = options?.slowMs ?? 5000
    this.hugeBodyBytes = options?.hugeBodyBytes ?? 8 * 1024 * 1024
  }

  get active(): boolean {
    return this.rate > 0 && this.totalWeight > 0
  }

  /** The fault for this request, if any. `onFileHost` requests are only eligible with `fileHost: true`. */
  draw(method: string, url: string, pathname: string, at: number, onFileHost = false): Fault | undefined {
    if (!this.active || (onFileHost ? !this.fileHost : !this.paths.test(pathname))) return undefined
    const hops = this.loops.get(url)
    if (hops !== undefined) {
      if (hops <= 1) this.loops.delete(url)
      else this.loops.set(url, hops - 1)
      return { kind: 'redirectLoop' }
    }
    if (this.random() >= this.rate) return undefined

    let pick = this.random() * this.totalWeight
    let kind = (this.weights.at(-1) as [FaultKind, number])[0]
    for (const [candidate, weight] of this.weights) {
      pick -= weight
      if (pick < 0) {
        kind = candidate
        break
      }
    }
    const variant = this.random()
    const fault = this.build(kind, variant)
    this.injected[kind] += 1
    this.log.push({ kind, method, url, at, detail: describe(fault) })
    if (kind === 'redirectLoop') this.loops.set(url, REDIRECT_LOOP_HOPS - 1)
    return fault
  }

  private build(kind: FaultKind, variant: number): Fault {
    switch (kind) {
      case 'serverError': {
        const index = Math.floor(variant * 6)
        return { kind, status: SERVER_ERROR_STATUSES[index % 3] as 500 | 502 | 503, empty: index >= 3 }
      }
      case 'rateLimit':
        return { kind, resetInSec: 2 + Math.floor(variant * 3) }
      case 'connectionReset':
        return { kind, afterHeaders: variant < 0.5 }
      case 'slow':
        return { kind, delayMs: this.slowMs }
      case 'malformedJson':
        return { kind, body: MALFORMED_BODIES[Math.floor(variant * MALFORMED_BODIES.length)] as string }
      case 'hugeBody':
        return { kind, bytes: this.hugeBodyBytes }
      default:
        return { kind }
    }
  }
}

function describe(fault: Fault): string {
  switch (fault.kind) {
    case 'serverError':
      return `${fault.status}${fault.empty ? ' empty' : ''}`
    case 'rateLimit':
      return `reset in ${fault.resetInSec} s`
    case 'connectionReset':
      return fault.afterHeaders ? 'after headers' : 'mid-body'
    case 'slow':
      return `${fault.delayMs} ms`
    case 'malformedJson':
      return JSON.stringify(fault.body)
    case 'hugeBody':
      return `${fault.bytes} bytes`
    default:
      return ''
  }
}

let hugeBodyCache: Buffer | undefined

/** A valid JSON document of exactly `bytes` bytes (at least 16), built once and shared. */
export function hugeJson(bytes: number): Buffer {
  if (hugeBodyCache?.length !== bytes) {
    const size = Math.max(16, bytes)
    const buffer = Buffer.alloc(size, 0x61)
    buffer.write('{"padding":"', 0, 'latin1')
    buffer.write('"}', size - 2, 'latin1')
    hugeBodyCache = buffer
  }
  return hugeBodyCache
}
