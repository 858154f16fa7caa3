import { formatViolation, readViolations, VIOLATIONS_PROBLEM, type Violation } from './prism.js'

/** One request through Prism and what Prism said about it. */
export interface Exchange {
  method: string
  /** Where it went: Prism, or a file host the SDK downloads from directly. */
  origin: string
  /** Path and query, as sent. */
  url: string
  status: number
  violations: Violation[]
  /** Prism's own problem type when it answered instead of the upstream or the mock, e.g. `...#VIOLATIONS`. */
  problemType?: string
}

/** A fetch that forwards to `globalThis.fetch` and records every exchange in `log`. */
export function recordingFetch(log: Exchange[]): (request: Request) => Promise<Response> {
  return async (request) => {
    const response = await globalThis.fetch(request)
    const url = new URL(request.url)
    const exchange: Exchange = {
      method: request.method,
      origin: url.origin,
      url: `${url.pathname}${url.search}`,
      status: response.status,
      violations: readViolations(response),
    }
    if (response.headers.get('content-type')?.includes('application/problem+json')) {
      const problem = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { type?: string; validation?: Violation[] } | undefined
      if (problem?.type) exchange.problemType = problem.type
      // A rejected request carries its violations in the body only, located relative to the request.
      if (exchange.violations.length === 0 && problem?.validation) {
        const prefix = problem.type === VIOLATIONS_PROBLEM ? [] : ['request']
        exchange.violations = problem.validation.map((v) => ({ ...v, location: [...prefix, ...(v.location ?? [])] }))
      }
    }
    log.push(exchange)
    return response
  }
}

/** Human-readable lines for every exchange that carried a violation or a Prism problem, for assertion messages. */
export function describeProblems(exchanges: readonly Exchange[]): string[] {
  return exchanges.flatMap((exchange) => {
    const head = `${exchange.method} ${exchange.url} → ${exchange.status}`
    const lines = exchange.violations.map((violation) => `${head}: ${formatViolation(violation)}`)
    if (exchange.problemType && exchange.violations.length === 0) lines.push(`${head}: ${exchange.problemType}`)
    return lines
  })
}
