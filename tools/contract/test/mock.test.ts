/**
 * Every operation of the resolved spec, called through the raw client against `prism mock`: the requests we can
 * build from the spec alone must be valid, and the answers Prism generates from the response schemas must match
 * the spec too, which they cannot where the spec contradicts itself.
 */
import { createRawClient } from '@flat-api/raw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeProblems, type Exchange, recordingFetch } from '../src/exchanges.js'
import { documentsStatus, listOperations, loadSpec, RESOLVED_SPEC_PATH } from '../src/openapi.js'
import { type PrismProcess, startPrism } from '../src/prism.js'
import { type PlannedCall, planCall } from '../src/requests.js'

const spec = loadSpec()
const operations = listOperations(spec)
const plans = operations.map((entry) => ({ entry, plan: planCall(spec, entry) }))

interface KnownProblem {
  why: string
  /** Every violation of the operation must match this; a listed operation that answers cleanly fails too. */
  violation: RegExp
}

const URL_FORMAT: KnownProblem = {
  why: 'the spec uses `format: url`, which Prism validates but its faker cannot produce (JSON Schema says `uri`)',
  violation: /response\.body(\.\d+)?\.htmlUrl: .* must match format "url"/,
}
const EDU_RESOURCE_ONE_OF: KnownProblem = {
  why: 'EduResource.resource is oneOf [Assignment, EduResourceFolder] and a folder requires nothing, so an assignment matches both',
  violation: /response\.body(\.\d+)?\.resource: .* must match exactly one schema in oneOf/,
}

/**
 * Operations whose mocked answer breaks the spec for a reason in the spec itself, not in what we send. Each entry
 * is a finding to fix with an overlay; the test fails once an entry no longer reproduces.
 */
const KNOWN_SPEC_PROBLEMS: Record<string, KnownProblem> = {
  listCollections: URL_FORMAT,
  createCollection: URL_FORMAT,
  getCollection: URL_FORMAT,
  editCollection: URL_FORMAT,
  listEduResources: EDU_RESOURCE_ONE_OF,
  getEduResource: EDU_RESOURCE_ONE_OF,
  updateEduResource: EDU_RESOURCE_ONE_OF,
  listLtiConfigurations: {
    why: 'LtiConfiguration nests discriminated oneOfs under allOf (and `format: url`); the faker ignores discriminators',
    violation: /response\.body\.\d+(\.\w+)?: /,
  },
}

type DynamicRequest = (method: string, path: string, init: PlannedCall['init']) => Promise<{ response: Response }>

describe('every operation against Prism mocking the resolved spec', () => {
  const exchanges: Exchange[] = []
  /** `method path ` of the requests of known spec problems, as Prism's log spells them. */
  const tolerated: string[] = []
  let prism: PrismProcess | undefined
  let request: DynamicRequest

  beforeAll(async () => {
    prism = await startPrism(['mock', RESOLVED_SPEC_PATH, '--errors'])
    const client = createRawClient({ baseUrl: prism.url, accessToken: 'test', fetch: recordingFetch(exchanges) })
    // The operation is only known at run time, so the typed signature cannot be satisfied statically.
    request = client.request as unknown as DynamicRequest
  })

  afterAll(async () => {
    await prism?.stop()
  })

  it('covers the 118 operations of the pinned spec', () => {
    expect(operations).toHaveLength(118)
  })

  for (const { entry, plan } of plans) {
    const label = `${entry.operationId} (${entry.method.toUpperCase()} ${entry.path})`
    if (!plan.ok) {
      it.skip(`${label}: ${plan.reason}`, () => {})
      continue
    }
    const { call } = plan
    const known = KNOWN_SPEC_PROBLEMS[entry.operationId]
    if (known) {
      it(`${label} fails only with its known spec problem: ${known.why}`, async () => {
        const before = exchanges.length

        const { response } = await request(entry.method, call.path, call.init)

        const mine = exchanges.slice(before)
        tolerated.push(...mine.map((exchange) => `${exchange.method.toLowerCase()} ${exchange.url.split('?')[0]} `))
        const problems = describeProblems(mine)
        expect(problems.length, 'the problem is gone: remove the entry from KNOWN_SPEC_PROBLEMS').toBeGreaterThan(0)
        expect(problems.filter((problem) => !known.violation.test(problem))).toEqual([])
        expect(response.status).toBe(500)
      })
      continue
    }
    const wanted = call.expectedStatus === undefined ? 'a documented status' : String(call.expectedStatus)
    it(`${label} answers ${wanted} to a request built from the spec, with no violation`, async () => {
      const before = exchanges.length

      const { response } = await request(entry.method, call.path, call.init)

      expect(describeProblems(exchanges.slice(before))).toEqual([])
      if (call.expectedStatus !== undefined) expect(response.status).toBe(call.expectedStatus)
      expect(documentsStatus(entry, response.status)).toBe(true)
    })
  }

  it('logs no violation in Prism output beyond the known spec problems', () => {
    // Prism's log line names the request as `[HTTP SERVER] get /collections ✖ error ...`.
    const unexpected = prism?.violationLines().filter((line) => !tolerated.some((request) => line.includes(request)))
    expect(unexpected).toEqual([])
  })
})
