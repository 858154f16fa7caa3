import type { ResourceCollaborator, ScoreComment, ScoreDetails } from '@flat-api/raw'
import { afterEach, describe, expect, it } from 'vitest'
import { call, closeAll, importDemo, start } from './helpers.js'

afterEach(closeAll)

async function collectionScores(sim: Awaited<ReturnType<typeof start>>, collection: string): Promise<string[]> {
  const { body } = await call(sim, 'GET', `/v2/collections/${collection}/scores`)
  return (body as ScoreDetails[]).map((score) => score.id)
}

describe('adding and removing a collection score (form bodies)', () => {
  it('adds with a form body, answers the score, and removes with 204', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const { body } = await call(sim, 'POST', '/v2/collections', { json: { title: 'Répertoire' } })
    const collection = (body as { id: string }).id

    const added = await call(sim, 'PUT', `/v2/collections/${collection}/scores/${score}`, {
      form: { eventProperties: '{"source":"test"}' },
    })
    const listed = await collectionScores(sim, collection)
    const removed = await call(sim, 'DELETE', `/v2/collections/${collection}/scores/${score}`, { form: {} })

    expect(added.status).toBe(200)
    expect((added.body as ScoreDetails).collections).toEqual([collection])
    expect(listed).toEqual([score])
    expect(removed.status).toBe(204)
    expect(removed.bytes.length).toBe(0)
    expect(await collectionScores(sim, collection)).toEqual([])
  })

  it('accepts an empty body, adds a score only once, and 404s a score that is not there', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const collection = ((await call(sim, 'POST', '/v2/collections', { json: { title: 'A' } })).body as { id: string })
      .id

    await call(sim, 'PUT', `/v2/collections/${collection}/scores/${score}`)
    await call(sim, 'PUT', `/v2/collections/${collection}/scores/${score}`)
    const detail = await call(sim, 'GET', `/v2/collections/${collection}`)
    await call(sim, 'DELETE', `/v2/collections/${collection}/scores/${score}`)
    const missing = await call(sim, 'DELETE', `/v2/collections/${collection}/scores/${score}`)

    expect(detail.body).toMatchObject({ contents: { scoresCount: 1 } })
    expect(missing.status).toBe(404)
  })

  it('refuses a JSON body with 415, since the operation declares a form', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const collection = ((await call(sim, 'POST', '/v2/collections', { json: { title: 'A' } })).body as { id: string })
      .id

    const { status, body } = await call(sim, 'PUT', `/v2/collections/${collection}/scores/${score}`, {
      json: { eventProperties: 'x' },
    })

    expect(status).toBe(415)
    expect(body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
    expect(await collectionScores(sim, collection)).toEqual([])
  })

  it('404s an unknown collection or score', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const collection = ((await call(sim, 'POST', '/v2/collections', { json: { title: 'A' } })).body as { id: string })
      .id

    expect((await call(sim, 'PUT', `/v2/collections/nope/scores/${score}`, { form: {} })).status).toBe(404)
    expect((await call(sim, 'PUT', `/v2/collections/${collection}/scores/nope`, { form: {} })).status).toBe(404)
  })
})

describe('removing a collaborator (form body)', () => {
  it('removes the collaborator with 204; the owner stays', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const added = await call(sim, 'POST', `/v2/scores/${score}/collaborators`, {
      json: { userEmail: 'zoë@example.com', aclWrite: true },
    })
    const collaborator = added.body as ResourceCollaborator

    const removed = await call(sim, 'DELETE', `/v2/scores/${score}/collaborators/${collaborator.id}`, {
      form: { eventProperties: '{}' },
    })
    const left = (await call(sim, 'GET', `/v2/scores/${score}/collaborators`)).body as ResourceCollaborator[]
    const owner = left[0]
    const refused = await call(sim, 'DELETE', `/v2/scores/${score}/collaborators/${owner?.id}`)

    expect(collaborator).toMatchObject({ userEmail: 'zoë@example.com', aclWrite: true, invited: true })
    expect(removed.status).toBe(204)
    expect(left.map((entry) => entry.collaboratorType)).toEqual(['owner'])
    expect(refused.status).toBe(403)
    expect((await call(sim, 'GET', `/v2/scores/${score}/collaborators/${collaborator.id}`)).status).toBe(404)
  })
})

describe('deleting a comment (form body)', () => {
  it('deletes the comment and its replies with 204', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const comment = (await call(sim, 'POST', `/v2/scores/${score}/comments`, { json: { comment: 'Lovely' } }))
      .body as ScoreComment
    await call(sim, 'POST', `/v2/scores/${score}/comments`, { json: { comment: 'Agreed', replyTo: comment.id } })
    await call(sim, 'POST', `/v2/scores/${score}/comments`, { json: { comment: 'Bar 3?' } })

    const removed = await call(sim, 'DELETE', `/v2/scores/${score}/comments/${comment.id}`, { form: {} })
    const left = (await call(sim, 'GET', `/v2/scores/${score}/comments`)).body as ScoreComment[]

    expect(removed.status).toBe(204)
    expect(left.map((entry) => entry.comment)).toEqual(['Bar 3?'])
    expect((await call(sim, 'DELETE', `/v2/scores/${score}/comments/${comment.id}`)).status).toBe(404)
  })

  it('edits a comment with PUT and lists seeded ones', async () => {
    const sim = await start({ library: { scores: 1 } })
    const score = sim.library.scores[0] ?? ''
    const seeded = (await call(sim, 'GET', `/v2/scores/${score}/comments`)).body as ScoreComment[]

    const edited = await call(sim, 'PUT', `/v2/scores/${score}/comments/${seeded[0]?.id}`, {
      json: { comment: 'Fixed' },
    })

    expect(seeded).toHaveLength(2)
    expect(edited.body).toMatchObject({ comment: 'Fixed', modificationDate: expect.any(String) })
  })
})
