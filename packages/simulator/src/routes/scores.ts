import type { ScorePrivacy, Task } from '@flat-api/raw'
import type { AudioFormat } from '../audio/index.js'
import type { SimContext } from '../context.js'
import { builtinScoreXml } from '../formats/builtin-score.js'
import { isZip, readMxl } from '../formats/mxl.js'
import { FORMAT_FILES, isRevisionFormat, type RevisionFormat, renderRevision } from '../formats/render.js'
import { booleanParam, fail, HttpError, isRecord, noContent, ok, type Router } from '../http.js'
import { ME, type SimScore } from '../state.js'
import type { SimTask } from '../tasks.js'
import type { RequestBody } from '../types.js'

const PRIVACIES: readonly ScorePrivacy[] = ['public', 'private', 'organizationPublic', 'privateLink']
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/

function revisionHeaders(score: SimScore): Record<string, string> {
  return {
    'X-Flat-Score-Revision': score.revision,
    // Every simulated score has one revision, made when the score was.
    'X-Flat-Score-Revision-Date': new Date(score.createdAt).toISOString(),
  }
}

/** `parts` as a comma-separated string (revision data) or an array (export task body), each a known part id. */
function checkParts(score: SimScore, parts: readonly string[]): void {
  const unknown = parts.find((part) => !score.partIds.includes(part))
  if (unknown !== undefined) throw new HttpError(400, 'BAD_REQUEST', `Unknown part ${JSON.stringify(unknown)}`, 'parts')
  if (parts.length === 0) throw new HttpError(400, 'BAD_REQUEST', 'parts must name at least one part', 'parts')
}

function isPdf(bytes: Buffer, filename: string | undefined): boolean {
  return bytes.subarray(0, 4).toString('latin1') === '%PDF' || /\.pdf$/i.test(filename ?? '')
}

export function registerScoreRoutes(router: Router, sim: SimContext): void {
  const { state, tasks, files } = sim

  /** The score a path names, or a 404 thrown. */
  const scoreOf = (id: string | undefined): SimScore => {
    const score = state.score(id ?? '')
    if (!score) throw new HttpError(404, 'SCORE_NOT_FOUND', 'Score not found')
    return score
  }
  const revisionOf = (score: SimScore, revision: string | undefined): void => {
    if (revision !== 'last' && revision !== score.revision) {
      throw new HttpError(404, 'REVISION_NOT_FOUND', 'Revision not found')
    }
  }

  /** Where the file host serves one rendering of a score. */
  const fileUrl = (score: SimScore, format: RevisionFormat, parts: readonly string[] | undefined): string => {
    const { contentType, extension } = FORMAT_FILES[format]
    const key = `revision\n${score.id}\n${score.revision}\n${format}\n${parts?.join(',') ?? ''}\n${score.title}`
    return files.register(key, {
      contentType,
      filename: `${score.title}.${extension}`,
      render: () => renderRevision(score.xml, format, parts),
    })
  }

  /** Where a done export task's file downloads from: the file host, straight or through the API origin. */
  const exportUrl = (task: SimTask): string => {
    const format = task.fields.format as AudioFormat
    const score = task.fields.score ? state.scores.get(task.fields.score) : undefined
    if (sim.config.exportUrls === 'fileHost' && score) return fileUrl(score, format, task.parts)
    return `${sim.origin()}/files/${task.id}.${format}`
  }

  router.add('POST', '/v2/scores', { body: 'json' }, ({ body }) => {
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a ScoreCreation object')
    const creation = body as RequestBody<'/scores', 'post'> & Record<string, unknown>
    if (creation.privacy !== undefined && !PRIVACIES.includes(creation.privacy as ScorePrivacy)) {
      return fail(400, 'BAD_REQUEST', `Unknown privacy ${JSON.stringify(creation.privacy)}`, 'privacy')
    }
    if (creation.title !== undefined && typeof creation.title !== 'string') {
      return fail(400, 'BAD_REQUEST', 'title must be a string', 'title')
    }
    if (sim.config.maxScores <= state.ownedScoreCount()) {
      return fail(402, 'QUOTA_EXCEEDED', `The account already has its ${sim.config.maxScores} scores`)
    }
    const privacy = creation.privacy === 'public' ? 'public' : 'private'

    if ('builderData' in creation) {
      if (typeof creation.title !== 'string') return fail(400, 'BAD_REQUEST', 'A new score needs a title', 'title')
      const score = state.addScore({ xml: builtinScoreXml(creation.title), title: creation.title, privacy })
      return ok('/scores', 'post', 200, state.viewScore(score), revisionHeaders(score))
    }
    if ('source' in creation) {
      return fail(400, 'BAD_REQUEST', 'Google Drive imports are not simulated', 'source')
    }
    if (typeof creation.data !== 'string') return fail(400, 'BAD_REQUEST', 'data must be a string', 'data')
    if (creation.dataEncoding !== undefined && creation.dataEncoding !== 'base64') {
      return fail(400, 'BAD_REQUEST', 'dataEncoding can only be base64', 'dataEncoding')
    }
    if (creation.dataEncoding === 'base64' && !BASE64.test(creation.data)) {
      return fail(400, 'BAD_REQUEST', 'data is not valid base64', 'data')
    }
    const bytes = Buffer.from(creation.data, creation.dataEncoding === 'base64' ? 'base64' : 'utf8')
    const filename = typeof creation.filename === 'string' ? creation.filename : undefined

    if (isPdf(bytes, filename)) {
      if (creation.supportsTasks !== true) {
        return fail(400, 'BAD_REQUEST', 'A PDF import runs through OMR: send supportsTasks: true', 'supportsTasks')
      }
      const title = creation.title ?? filename?.replace(/\.pdf$/i, '') ?? 'Imported score'
      const outcome = sim.outcomeRandom() < sim.config.failureRate ? 'error' : 'done'
      let scoreId: string | undefined
      const task = tasks.create(
        { durationMs: sim.config.importDurationMs, outcome, type: 'import-omr', reportsPercent: true },
        { fields: {}, doneFields: () => (scoreId ? { score: scoreId } : {}) },
      )
      if (outcome === 'done') {
        // The score appears the moment the task is done, not before.
        const availableAt = task.createdAt + task.endMs
        scoreId = state.addScore({
          xml: builtinScoreXml(title),
          title,
          privacy,
          availableAt,
          createdAt: availableAt,
        }).id
      }
      return ok('/scores', 'post', 202, tasks.view(task))
    }

    let xml: string
    try {
      xml = isZip(bytes) || /\.mxl$/i.test(filename ?? '') ? readMxl(bytes) : bytes.toString('utf8')
    } catch (cause) {
      return fail(400, 'IMPORT_FAILED', `The file could not be imported: ${(cause as Error).message}`, 'data')
    }
    let score: SimScore
    try {
      score = state.addScore({ xml, ...(creation.title !== undefined ? { title: creation.title } : {}), privacy })
    } catch (cause) {
      return fail(400, 'IMPORT_FAILED', `The file could not be imported: ${(cause as Error).message}`, 'data')
    }
    return ok('/scores', 'post', 200, state.viewScore(score), revisionHeaders(score))
  })

  router.add('GET', '/v2/scores/{score}', {}, ({ params }) =>
    ok('/scores/{score}', 'get', 200, state.viewScore(scoreOf(params.score))),
  )

  router.add('PUT', '/v2/scores/{score}', { body: 'json' }, ({ params, body }) => {
    const score = scoreOf(params.score)
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a ScoreModification object')
    if (body.title !== undefined) {
      if (typeof body.title !== 'string' || body.title === '') return fail(400, 'BAD_REQUEST', 'Bad title', 'title')
      score.title = body.title
    }
    if (body.privacy !== undefined) {
      if (body.privacy !== 'public' && body.privacy !== 'private') {
        return fail(400, 'BAD_REQUEST', 'privacy must be public or private here', 'privacy')
      }
      score.privacy = body.privacy
    }
    score.modifiedAt = sim.now()
    return ok('/scores/{score}', 'put', 200, state.viewScore(score))
  })

  router.add('DELETE', '/v2/scores/{score}', {}, ({ params }) => {
    const score = scoreOf(params.score)
    state.scores.delete(score.id)
    for (const collection of state.collections.values()) {
      collection.scoreIds = collection.scoreIds.filter((id) => id !== score.id)
    }
    const liked = state.likes.indexOf(score.id)
    if (liked >= 0) state.likes.splice(liked, 1)
    return noContent
  })

  router.add('GET', '/v2/scores/{score}/revisions', {}, ({ params }) =>
    ok('/scores/{score}/revisions', 'get', 200, [state.viewRevision(scoreOf(params.score))]),
  )

  router.add('GET', '/v2/scores/{score}/revisions/{revision}', {}, ({ params }) => {
    const score = scoreOf(params.score)
    revisionOf(score, params.revision)
    return ok('/scores/{score}/revisions/{revision}', 'get', 200, state.viewRevision(score))
  })

  router.add('GET', '/v2/scores/{score}/revisions/{revision}/{format}', {}, ({ params, query }) => {
    const score = scoreOf(params.score)
    revisionOf(score, params.revision)
    const format = params.format ?? ''
    if (!isRevisionFormat(format)) {
      return fail(400, 'BAD_REQUEST', `Unknown format ${JSON.stringify(format)}`, 'format')
    }
    const partsParam = query.get('parts')
    const parts = partsParam === null ? undefined : partsParam.split(',').map((part) => part.trim())
    if (parts) checkParts(score, parts)
    const url = fileUrl(score, format, parts)
    const headers = revisionHeaders(score)
    // The spec types this 200 as binary for every media type; with url=true the API sends JSON holding the URL.
    if (booleanParam(query, 'url') === true) return { status: 200, json: { url }, headers }
    return { status: 302, headers: { ...headers, Location: url } }
  })

  router.add('POST', '/v2/scores/{score}/revisions/{revision}/{format}/task', { body: 'json' }, ({ params, body }) => {
    const score = scoreOf(params.score)
    revisionOf(score, params.revision)
    const format = params.format
    if (format !== 'mp3' && format !== 'wav') {
      return fail(400, 'UNSUPPORTED_FORMAT', `Export format ${JSON.stringify(format)} is not simulated`, 'format')
    }
    if (body !== undefined && !isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be an object')
    const options = (body ?? {}) as RequestBody<'/scores/{score}/revisions/{revision}/{format}/task', 'post'>
    const parts = options.parts
    if (parts !== undefined) {
      if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
        return fail(400, 'BAD_REQUEST', 'parts must be an array of part ids', 'parts')
      }
      checkParts(score, parts)
    }
    const outcome = sim.outcomeRandom() < sim.config.failureRate ? 'error' : 'done'
    const fields: Partial<Task> = { format, score: score.id, revision: score.revision }
    const task = tasks.create(
      { durationMs: sim.config.exportDurationMs, outcome },
      { fields, doneFields: (done) => ({ result: { url: exportUrl(done) } }), ...(parts ? { parts } : {}) },
    )
    return ok('/scores/{score}/revisions/{revision}/{format}/task', 'post', 200, tasks.view(task))
  })

  // An export's URL on the API origin, kept for clients that saved one: it sends them on to the file host.
  router.add('GET', '/files/{file}', { auth: false }, ({ params }) => {
    const match = /^([0-9a-f]+)\.(mp3|wav)$/.exec(params.file ?? '')
    const task = match ? tasks.get(match[1] ?? '') : undefined
    const score = task?.fields.score ? state.scores.get(task.fields.score) : undefined
    if (!match || !task || !score || task.fields.format !== match[2] || tasks.state(task) !== 'done') {
      return fail(404, 'FILE_NOT_FOUND', 'No such file')
    }
    return { status: 302, headers: { Location: fileUrl(score, match[2] as AudioFormat, task.parts) } }
  })

  registerCollaboratorRoutes(router, sim, scoreOf)
  registerCommentRoutes(router, sim, scoreOf)
}

function registerCollaboratorRoutes(router: Router, sim: SimContext, scoreOf: (id: string | undefined) => SimScore) {
  const { state } = sim
  const find = (score: SimScore, id: string | undefined) => {
    const collaborator = score.collaborators.find((candidate) => candidate.id === id || candidate.userId === id)
    if (!collaborator) throw new HttpError(404, 'COLLABORATOR_NOT_FOUND', 'Collaborator not found')
    return collaborator
  }

  router.add('GET', '/v2/scores/{score}/collaborators', {}, ({ params }) => {
    const score = scoreOf(params.score)
    const views = score.collaborators.map((collaborator) => state.viewCollaborator(score, collaborator))
    return ok('/scores/{score}/collaborators', 'get', 200, views)
  })

  router.add('POST', '/v2/scores/{score}/collaborators', { body: 'json' }, ({ params, body }) => {
    const score = scoreOf(params.score)
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a ResourceCollaboratorCreation object')
    const creation = body as RequestBody<'/scores/{score}/collaborators', 'post'>
    const user = typeof creation.user === 'string' ? state.resolveUser(creation.user) : undefined
    if (creation.user !== undefined && !user) return fail(404, 'USER_NOT_FOUND', 'User not found', 'user')
    if (!user && typeof creation.userEmail !== 'string' && typeof creation.group !== 'string') {
      return fail(400, 'BAD_REQUEST', 'Name a user, a group or a userEmail', 'user')
    }
    const existing = user && score.collaborators.find((candidate) => candidate.userId === user.id)
    const collaborator = existing || {
      id: state.newId(),
      aclRead: creation.aclRead ?? true,
      aclWrite: creation.aclWrite ?? false,
      aclAdmin: creation.aclAdmin ?? false,
      owner: false,
      date: sim.now(),
      ...(user ? { userId: user.id } : {}),
      ...(!user && typeof creation.userEmail === 'string' ? { userEmail: creation.userEmail } : {}),
      ...(!user && typeof creation.group === 'string' ? { group: creation.group } : {}),
    }
    if (!existing) score.collaborators.push(collaborator)
    return ok('/scores/{score}/collaborators', 'post', 200, state.viewCollaborator(score, collaborator))
  })

  router.add('GET', '/v2/scores/{score}/collaborators/{collaborator}', {}, ({ params }) => {
    const score = scoreOf(params.score)
    const view = state.viewCollaborator(score, find(score, params.collaborator))
    return ok('/scores/{score}/collaborators/{collaborator}', 'get', 200, view)
  })

  router.add('DELETE', '/v2/scores/{score}/collaborators/{collaborator}', { body: 'form' }, ({ params }) => {
    const score = scoreOf(params.score)
    const collaborator = find(score, params.collaborator)
    if (collaborator.owner) return fail(403, 'FORBIDDEN', 'The owner cannot be removed from their score')
    score.collaborators = score.collaborators.filter((candidate) => candidate !== collaborator)
    return noContent
  })
}

function registerCommentRoutes(router: Router, sim: SimContext, scoreOf: (id: string | undefined) => SimScore) {
  const { state } = sim
  const find = (score: SimScore, id: string | undefined) => {
    const comment = score.comments.find((candidate) => candidate.id === id)
    if (!comment) throw new HttpError(404, 'COMMENT_NOT_FOUND', 'Comment not found')
    return comment
  }
  const text = (value: unknown, param: string): string => {
    if (typeof value !== 'string' || value.length === 0 || value.length > 10_000) {
      throw new HttpError(400, 'BAD_REQUEST', `${param} must be a string of 1 to 10000 characters`, param)
    }
    return value
  }

  router.add('GET', '/v2/scores/{score}/comments', {}, ({ params, query }) => {
    const score = scoreOf(params.score)
    const type = query.get('type')
    if (type !== null && type !== 'document' && type !== 'inline') {
      return fail(400, 'BAD_REQUEST', 'type must be document or inline', 'type')
    }
    const direction = query.get('direction')
    if (direction !== null && direction !== 'asc' && direction !== 'desc') {
      return fail(400, 'BAD_REQUEST', 'direction must be asc or desc', 'direction')
    }
    // Every simulated comment is a document comment.
    const comments = type === 'inline' ? [] : [...score.comments].sort((a, b) => a.date - b.date)
    if (direction === 'desc') comments.reverse()
    const views = comments.map((comment) => state.viewComment(score, comment))
    return ok('/scores/{score}/comments', 'get', 200, views)
  })

  router.add('POST', '/v2/scores/{score}/comments', { body: 'json' }, ({ params, body }) => {
    const score = scoreOf(params.score)
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a ScoreCommentCreation object')
    const comment = text(body.comment, 'comment')
    const replyTo = typeof body.replyTo === 'string' ? find(score, body.replyTo).id : undefined
    const created = {
      id: state.newId(),
      userId: ME.id,
      comment,
      rawComment: typeof body.rawComment === 'string' ? body.rawComment : comment,
      date: sim.now(),
      revision: score.revision,
      ...(replyTo ? { replyTo } : {}),
    }
    score.comments.push(created)
    return ok('/scores/{score}/comments', 'post', 200, state.viewComment(score, created))
  })

  router.add('PUT', '/v2/scores/{score}/comments/{comment}', { body: 'json' }, ({ params, body }) => {
    const score = scoreOf(params.score)
    const comment = find(score, params.comment)
    if (!isRecord(body)) return fail(400, 'BAD_REQUEST', 'The body must be a ScoreCommentUpdate object')
    if (body.comment !== undefined) comment.comment = text(body.comment, 'comment')
    if (body.rawComment !== undefined) comment.rawComment = text(body.rawComment, 'rawComment')
    comment.modifiedAt = sim.now()
    return ok('/scores/{score}/comments/{comment}', 'put', 200, state.viewComment(score, comment))
  })

  router.add('DELETE', '/v2/scores/{score}/comments/{comment}', { body: 'form' }, ({ params }) => {
    const score = scoreOf(params.score)
    const comment = find(score, params.comment)
    score.comments = score.comments.filter((candidate) => candidate !== comment && candidate.replyTo !== comment.id)
    return noContent
  })
}
