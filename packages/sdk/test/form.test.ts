import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createFlatClient, FORM_OPERATIONS } from '../src/index.js'
import { importScore, recordingFetch, setup } from './helpers.js'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const SPEC_PATH = fileURLToPath(new URL('../../../openapi/flat-api.yaml', import.meta.url))
const FORM = 'application/x-www-form-urlencoded'

async function world() {
  ;({ sim } = await setup())
  const recorder = recordingFetch()
  const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl, fetch: recorder.fetch })
  const score = await importScore(flat)
  const { data: collection } = await flat.raw.POST('/collections', { body: { title: 'Box' } })
  const { data: collaborator } = await flat.raw.POST('/scores/{score}/collaborators', {
    params: { path: { score } },
    body: { userEmail: 'friend@example.com', aclRead: true, aclWrite: false, aclAdmin: false },
  })
  const { data: comment } = await flat.raw.POST('/scores/{score}/comments', {
    params: { path: { score } },
    body: { comment: 'Bar 3 is late', revision: 'last' },
  })
  return {
    flat,
    sent: recorder.sent,
    score,
    collection: collection?.id as string,
    collaborator: collaborator?.id as string,
    comment: comment?.id as string,
  }
}

type World = Awaited<ReturnType<typeof world>>

const calls: [string, (w: World) => Promise<{ response: Response }>][] = [
  [
    'PUT /collections/{collection}/scores/{score}',
    (w) =>
      w.flat.raw.PUT('/collections/{collection}/scores/{score}', {
        params: { path: { collection: w.collection, score: w.score } },
        body: {},
      }),
  ],
  [
    'DELETE /collections/{collection}/scores/{score}',
    async (w) => {
      const path = { collection: w.collection, score: w.score }
      await w.flat.raw.PUT('/collections/{collection}/scores/{score}', { params: { path } })
      return w.flat.raw.DELETE('/collections/{collection}/scores/{score}', { params: { path }, body: {} })
    },
  ],
  [
    'DELETE /scores/{score}/collaborators/{collaborator}',
    (w) =>
      w.flat.raw.DELETE('/scores/{score}/collaborators/{collaborator}', {
        params: { path: { score: w.score, collaborator: w.collaborator } },
        body: {},
      }),
  ],
  [
    'DELETE /scores/{score}/comments/{comment}',
    (w) =>
      w.flat.raw.DELETE('/scores/{score}/comments/{comment}', {
        params: { path: { score: w.score, comment: w.comment } },
        body: {},
      }),
  ],
]

describe('form-body operations through flat.raw', () => {
  it.each(calls)('sends %s as application/x-www-form-urlencoded', async (label, call) => {
    const w = await world()

    const { response } = await call(w)

    expect(response.ok).toBe(true)
    const [method] = label.split(' ')
    const request = w.sent.filter((r) => r.method === method).at(-1)
    expect(request?.headers.get('content-type')).toBe(FORM)
    expect(new TextDecoder().decode(request?.body)).toBe('')
  })

  it('leaves JSON operations JSON', async () => {
    const w = await world()

    await w.flat.raw.PUT('/scores/{score}', { params: { path: { score: w.score } }, body: { title: 'Still JSON' } })

    const request = w.sent.filter((r) => r.method === 'PUT').at(-1)
    expect(request?.headers.get('content-type')).toBe('application/json')
  })

  it('lists exactly the operations the resolved spec declares with a form body', () => {
    const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>
    }
    const declared = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, operation]) =>
        operation?.requestBody?.content && FORM in operation.requestBody.content ? [`${method} ${path}`] : [],
      ),
    )
    expect([...FORM_OPERATIONS].sort()).toEqual(declared.sort())
  })
})
