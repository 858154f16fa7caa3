import { describe, expect, it } from 'vitest'
import { check, responseProblems, schema, templateOf } from './spec.js'

// The contract check every simulator test relies on must itself catch what is wrong.
describe('the spec check used by the tests', () => {
  it('accepts a valid Task and names what is wrong with a broken one', () => {
    expect(check(schema('Task'), { id: 'a', state: 'done', progress: { percent: 100 } })).toEqual([])
    expect(check(schema('Task'), { id: 1, state: 'paused' })).toEqual([
      '$.id: expected a string, got 1',
      '$.state: "paused" is not one of ["created","blocked","doing","done","canceled","error"]',
    ])
    expect(check(schema('Task'), { state: 'done' })).toContain('$.id: required')
  })

  it('follows allOf through ScoreDetails down to the user', () => {
    const problems = check(schema('ScoreDetails'), { id: 's', title: 't', privacy: 'secret', htmlUrl: 'h' })
    expect(problems).toEqual(
      expect.arrayContaining(['$.user: required', '$.collaborators: required', expect.stringContaining('"secret"')]),
    )
  })

  it('maps concrete paths to templates, literal segments first', () => {
    expect(templateOf('/v2/omr/jobs/abc')).toBe('/omr/jobs/{job}')
    expect(templateOf('/v2/omr/capabilities')).toBe('/omr/capabilities')
    expect(templateOf('/v2/scores/a/revisions/last/thumbnail.png')).toBe(
      '/scores/{score}/revisions/{revision}/{format}',
    )
  })

  it('refuses undeclared media types and statuses, and takes default for errors', () => {
    expect(responseProblems('GET', '/v2/tasks/x', 200, 'text/html', undefined)).toEqual([
      'GET /tasks/{task} 200: text/html is not declared',
    ])
    expect(responseProblems('GET', '/v2/tasks/x', 404, 'application/json', { code: 'X', message: 'm' })).toEqual([])
    expect(responseProblems('GET', '/v2/tasks/x', 404, 'application/json', { message: 'm' })).toEqual([
      'GET /tasks/{task} 404 $.code: required',
    ])
  })
})
