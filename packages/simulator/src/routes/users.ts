import type { SimContext } from '../context.js'
import { booleanParam, HttpError, ok, type Router } from '../http.js'
import { ME, type SimUser } from '../state.js'
import { enumParam, pageReply, sortBy } from './paging.js'

const ROLES = ['user', 'teacher', 'admin', 'accountAdmin'] as const

export function registerUserRoutes(router: Router, sim: SimContext): void {
  const { state } = sim

  const userOf = (id: string | undefined): SimUser => {
    const user = state.resolveUser(id ?? '')
    if (!user) throw new HttpError(404, 'USER_NOT_FOUND', 'User not found')
    return user
  }

  router.add('GET', '/v2/me', {}, () => ok('/me', 'get', 200, state.userPublic(ME)))

  router.add('GET', '/v2/users/{user}/scores', {}, (ctx) => {
    const user = userOf(ctx.params.user)
    const now = sim.now()
    // Others' scores are listed when public only; `me` sees all of its own.
    const scores = [...state.scores.values()].filter(
      (score) =>
        score.ownerId === user.id && now >= score.availableAt && (user.id === ME.id || score.privacy === 'public'),
    )
    const items = sortBy(ctx.query, scores, {
      creationDate: (score) => score.createdAt,
      modificationDate: (score) => score.modifiedAt,
      title: (score) => score.title,
    })
    // As the spec says: without paginate=true, every score comes at once and limit/next/previous are ignored.
    if (booleanParam(ctx.query, 'paginate') !== true) {
      return ok(
        '/users/{user}/scores',
        'get',
        200,
        items.map((score) => state.viewScore(score)),
      )
    }
    return pageReply(sim, ctx, items, { maxLimit: 100, defaultLimit: 25 }, (score) => state.viewScore(score))
  })

  router.add('GET', '/v2/users/{user}/likes', {}, (ctx) => {
    const user = userOf(ctx.params.user)
    const liked = user.id === ME.id ? state.likes.flatMap((id) => state.score(id) ?? []) : []
    // Checked, then ignored: the declared items stay ScoreDetails whatever `ids` says.
    booleanParam(ctx.query, 'ids')
    return pageReply(sim, ctx, liked, { maxLimit: 100, defaultLimit: 25 }, (score) => state.viewScore(score))
  })

  router.add('GET', '/v2/eduResources', {}, (ctx) => {
    const type = enumParam(ctx.query, 'type', ['assignment', 'folder'] as const)
    const parent = ctx.query.get('parent') ?? 'root'
    const resources = parent === 'root' ? state.eduResources.filter((resource) => !type || resource.type === type) : []
    const items = sortBy(ctx.query, resources, {
      creationDate: (resource) => resource.createdAt,
      updateDate: (resource) => resource.createdAt,
      title: (resource) => resource.title,
    })
    const headers = {
      'X-Total-Assignments-Count': String(resources.filter((resource) => resource.type === 'assignment').length),
      'X-Total-Folders-Count': String(resources.filter((resource) => resource.type === 'folder').length),
    }
    return pageReply(
      sim,
      ctx,
      items,
      { maxLimit: 100, defaultLimit: 25 },
      (resource) => state.viewEduResource(resource),
      headers,
    )
  })

  router.add('GET', '/v2/organizations/users', {}, (ctx) => {
    const roles = ctx.query.getAll('role')
    const unknown = roles.find((role) => !(ROLES as readonly string[]).includes(role))
    if (unknown !== undefined) throw new HttpError(400, 'BAD_REQUEST', `Unknown role ${unknown}`, 'role')
    const users = state.organizationUsers.filter((user) => roles.length === 0 || roles.includes(user.organizationRole))
    const items = sortBy(ctx.query, users, {
      firstname: (user) => user.name,
      lastname: (user) => user.name.split(' ').at(-1) ?? '',
      lastActivityDate: (user) => user.createdAt,
      licenseExpirationDate: (user) => user.createdAt,
    })
    return pageReply(sim, ctx, items, { maxLimit: 1000, defaultLimit: 25 }, (user) => state.userAdmin(user))
  })

  router.add('GET', '/v2/organizations/invitations', {}, (ctx) => {
    const role = enumParam(ctx.query, 'role', ['user', 'teacher', 'admin'] as const)
    const items = state.invitations.filter((invitation) => !role || invitation.role === role)
    return pageReply(sim, ctx, items, { maxLimit: 1000, defaultLimit: 50 }, (invitation) =>
      state.viewInvitation(invitation),
    )
  })
}
