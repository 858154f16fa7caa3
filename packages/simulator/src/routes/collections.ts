import type { SimContext } from '../context.js'
import { fail, HttpError, isRecord, noContent, ok, type Router } from '../http.js'
import { ALL_SCORES, type SimCollection, type SimScore } from '../state.js'
import { pageReply, sortBy } from './paging.js'

const PAGE = { maxLimit: 100, defaultLimit: 25 }

function checkTitle(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 300) {
    throw new HttpError(400, 'BAD_REQUEST', 'title must be a string of 1 to 300 characters', 'title')
  }
  return value
}

export function registerCollectionRoutes(router: Router, sim: SimContext): void {
  const { state } = sim

  const collectionOf = (id: string | undefined): SimCollection => {
    const collection = state.collections.get(id ?? '')
    if (!collection) throw new HttpError(404, 'COLLECTION_NOT_FOUND', 'Collection not found')
    return collection
  }
  /** A regular collection, the only kind scores are added to or removed from. */
  const editable = (id: string | undefined): SimCollection => {
    if (id === ALL_SCORES) throw new HttpError(403, 'FORBIDDEN', 'The allScores collection lists every score already')
    return collectionOf(id)
  }
  const scoreOf = (id: string | undefined): SimScore => {
    const score = state.score(id ?? '')
    if (!score) throw new HttpError(404, 'SCORE_NOT_FOUND', 'Score not found')
    return score
  }

  router.add('GET', '/v2/collections', {}, (ctx) => {
    const items = sortBy(ctx.query, [...state.collections.values()], {
      creationDate: (collection) => collection.createdAt,
      modificationDate: (collection) => collection.modifiedAt,
      title: (collection) => collection.title,
    })
    return pageReply(sim, ctx, items, PAGE, (collection) => state.viewCollection(collection))
  })

  router.add('POST', '/v2/collections', { body: 'json' }, ({ body }) => {
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a CollectionCreation object')
    if (body.privacy !== undefined && body.privacy !== 'private') {
      return fail(400, 'BAD_REQUEST', 'Collections can only be private', 'privacy')
    }
    const now = sim.now()
    const collection = {
      id: state.newId(),
      title: checkTitle(body.title),
      createdAt: now,
      modifiedAt: now,
      scoreIds: [],
    }
    state.collections.set(collection.id, collection)
    return ok('/collections', 'post', 200, state.viewCollection(collection))
  })

  router.add('GET', '/v2/collections/{collection}', {}, ({ params }) =>
    ok('/collections/{collection}', 'get', 200, state.viewCollection(collectionOf(params.collection))),
  )

  router.add('PUT', '/v2/collections/{collection}', { body: 'json' }, ({ params, body }) => {
    const collection = editable(params.collection)
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a CollectionModification object')
    if (body.title !== undefined) collection.title = checkTitle(body.title)
    collection.modifiedAt = sim.now()
    return ok('/collections/{collection}', 'put', 200, state.viewCollection(collection))
  })

  router.add('DELETE', '/v2/collections/{collection}', {}, ({ params }) => {
    state.collections.delete(editable(params.collection).id)
    return noContent
  })

  router.add('GET', '/v2/collections/{collection}/scores', {}, (ctx) => {
    const ids = ctx.params.collection === ALL_SCORES ? undefined : collectionOf(ctx.params.collection).scoreIds
    const scores = ids
      ? ids.flatMap((id) => {
          const score = state.score(id)
          return score ? [score] : []
        })
      : state.myScores()
    const items = sortBy(ctx.query, scores, {
      creationDate: (score) => score.createdAt,
      modificationDate: (score) => score.modifiedAt,
      title: (score) => score.title,
    })
    return pageReply(sim, ctx, items, PAGE, (score) => state.viewScore(score))
  })

  router.add('PUT', '/v2/collections/{collection}/scores/{score}', { body: 'form' }, ({ params }) => {
    const collection = editable(params.collection)
    const score = scoreOf(params.score)
    if (!collection.scoreIds.includes(score.id)) {
      collection.scoreIds.push(score.id)
      collection.modifiedAt = sim.now()
    }
    return ok('/collections/{collection}/scores/{score}', 'put', 200, state.viewScore(score))
  })

  router.add('DELETE', '/v2/collections/{collection}/scores/{score}', { body: 'form' }, ({ params }) => {
    const collection = editable(params.collection)
    const score = scoreOf(params.score)
    if (!collection.scoreIds.includes(score.id)) {
      return fail(404, 'SCORE_NOT_FOUND', 'The score is not in this collection')
    }
    collection.scoreIds = collection.scoreIds.filter((id) => id !== score.id)
    collection.modifiedAt = sim.now()
    return noContent
  })
}
