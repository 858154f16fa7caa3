import type { Simulator } from '@flat-api/simulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createAuthorizationUrl,
  createFlatClient,
  createOAuthTokenSource,
  exchangeCode,
  type FlatClient,
  type FlatClientOptions,
} from '../src/index.js'
import { setup } from './helpers.js'

let sim: Simulator
let flat: FlatClient

beforeAll(async () => {
  ;({ sim, flat } = await setup({ rateLimit: false }))
})

afterAll(async () => {
  await sim.close()
})

const NUMBERS_BAD = [-1, Number.NaN, '5', null, {}] as const
const NON_STRINGS = [42, null, {}, [], true] as const

/** Ids every path parameter refuses, in every spelling a server would fold into a dot segment. */
const BAD_IDS = ['', '.', '..', '%2e', '%2E', '%2e%2e', '%2E%2E', '.%2e', '%2e.', 'a\r\nb', '\u0000', '\t'] as const

type Call = () => unknown
type Row = [label: string, call: Call, error: typeof TypeError | typeof RangeError, names: RegExp]

const client = (options: unknown) => () =>
  createFlatClient({ baseUrl: 'http://127.0.0.1:9/v2', ...(options as FlatClientOptions) })

function clientOptionRows(): Row[] {
  const rows: Row[] = []
  for (const value of NON_STRINGS)
    rows.push([`accessToken ${String(value)}`, client({ accessToken: value }), TypeError, /accessToken/])
  rows.push(['accessToken empty', client({ accessToken: '' }), TypeError, /accessToken/])
  rows.push(['accessToken with CR/LF', client({ accessToken: 'tok\r\nX-Evil: 1' }), TypeError, /accessToken/])
  for (const value of ['', 'not a url', 'ftp://x/v2', 'http://example.com/v2', 'https://user:pw@api.flat.io/v2', 42]) {
    rows.push([
      `baseUrl ${JSON.stringify(value)}`,
      () => createFlatClient({ baseUrl: value as string }),
      TypeError,
      /baseUrl/,
    ])
  }
  for (const value of NUMBERS_BAD)
    rows.push([`timeoutMs ${String(value)}`, client({ timeoutMs: value }), Error as never, /timeoutMs/])
  rows.push(['timeoutMs 0', client({ timeoutMs: 0 }), RangeError, /timeoutMs/])
  for (const value of [0, -5, Number.NaN])
    rows.push([`requestsPerHour ${value}`, client({ requestsPerHour: value }), RangeError, /requestsPerHour/])
  rows.push(['userAgent with LF', client({ userAgent: 'app\nX: y' }), TypeError, /userAgent/])
  rows.push(['fetch not a function', client({ fetch: 'fetch' }), TypeError, /fetch/])
  rows.push(['random not a function', client({ random: 0.5 }), TypeError, /random/])
  rows.push(['clock without now', client({ clock: {} }), TypeError, /clock/])
  rows.push(['locale with a space', client({ locale: 'fr FR' }), TypeError, /locale/])
  for (const [key, value] of [
    ['timeoutMs', -1],
    ['initialDelayMs', Number.NaN],
    ['maxDelayMs', -0.5],
    ['multiplier', 0.99],
    ['jitter', 1.01],
    ['jitter', '0.2'],
  ] as const) {
    rows.push([
      `polling.${key} ${String(value)}`,
      client({ polling: { [key]: value } }),
      Error as never,
      new RegExp(key),
    ])
  }
  rows.push([
    'polling initialDelayMs above maxDelayMs',
    client({ polling: { initialDelayMs: 10, maxDelayMs: 5 } }),
    RangeError,
    /maxDelayMs/,
  ])
  for (const [key, value] of [
    ['limit', -1],
    ['limit', 1.5],
    ['initialDelayMs', Number.NaN],
    ['maxDelayMs', -1],
  ] as const) {
    rows.push([`retry.${key} ${String(value)}`, client({ retry: { [key]: value } }), Error as never, new RegExp(key)])
  }
  return rows
}

function requestRows(): Row[] {
  const rows: Row[] = []
  for (const id of BAD_IDS) {
    rows.push([`tasks.get(${JSON.stringify(id)})`, () => flat.tasks.get(id), TypeError, /task/])
    rows.push([`tasks.wait(${JSON.stringify(id)})`, () => flat.tasks.wait(id), TypeError, /task/])
    rows.push([
      `scores.export(${JSON.stringify(id)})`,
      () => flat.scores.export(id, { format: 'mp3' }),
      TypeError,
      /score/,
    ])
    rows.push([
      `scores.download(${JSON.stringify(id)})`,
      () => flat.scores.download(id, { format: 'xml' }),
      TypeError,
      /score/,
    ])
    rows.push([`omr.get(${JSON.stringify(id)})`, () => flat.omr.get(id), TypeError, /job/])
  }
  for (const value of NON_STRINGS)
    rows.push([`tasks.get(${String(value)})`, () => flat.tasks.get(value as never), TypeError, /task/])
  for (const value of NUMBERS_BAD) {
    rows.push([
      `tasks.wait timeoutMs ${String(value)}`,
      () => flat.tasks.wait('abc', { timeoutMs: value as never }),
      Error as never,
      /timeoutMs/,
    ])
  }
  rows.push([
    'tasks.wait signal not a signal',
    () => flat.tasks.wait('abc', { signal: 'stop' as never }),
    TypeError,
    /signal/,
  ])
  rows.push(['tasks.resume of garbage', () => flat.tasks.resume({ kind: 'x' } as never), TypeError, /checkpoint/])
  rows.push([
    'tasks.resume NaN deadline',
    () => flat.tasks.resume({ kind: 'flat-task-wait', version: 1, taskId: 'a', deadlineAt: Number.NaN, attempt: 0 }),
    RangeError,
    /deadlineAt/,
  ])
  rows.push([
    'tasks.resume fractional attempt',
    () => flat.tasks.resume({ kind: 'flat-task-wait', version: 1, taskId: 'a', deadlineAt: 1, attempt: 1.5 }),
    RangeError,
    /attempt/,
  ])
  rows.push([
    'scores.export format ogg',
    () => flat.scores.export('abc', { format: 'ogg' as never }),
    RangeError,
    /format/,
  ])
  rows.push([
    'scores.export parts not an array',
    () => flat.scores.export('abc', { format: 'mp3', parts: 'P1' as never }),
    TypeError,
    /parts/,
  ])
  rows.push([
    'scores.export parts with an empty id',
    () => flat.scores.export('abc', { format: 'mp3', parts: [''] }),
    TypeError,
    /parts/,
  ])
  rows.push([
    'scores.export revision number',
    () => flat.scores.export('abc', { format: 'mp3', revision: 3 as never }),
    TypeError,
    /revision/,
  ])
  rows.push([
    'scores.download format exe',
    () => flat.scores.download('abc', { format: 'exe' as never }),
    RangeError,
    /format/,
  ])
  rows.push([
    'scores.download parts with a comma',
    () => flat.scores.download('abc', { format: 'xml', parts: ['a,b'] }),
    Error as never,
    /parts/,
  ])
  rows.push(['scores.import without data', () => flat.scores.import({} as never), TypeError, /data/])
  rows.push(['scores.import data number', () => flat.scores.import({ data: 5 as never }), TypeError, /data/])
  rows.push(['scores.import empty data', () => flat.scores.import({ data: '' }), TypeError, /data/])
  rows.push([
    'paginate a path that is not paginated',
    () => flat.paginate('/tasks/{task}' as never, {} as never).toArray(),
    Error as never,
    /path|paginat/,
  ])
  rows.push([
    'paginate maxItems negative',
    () => flat.paginate('/collections', { maxItems: -1 }).toArray(),
    RangeError,
    /maxItems/,
  ])
  rows.push([
    'paginate maxItems fractional',
    () => flat.paginate('/collections', { maxItems: 2.5 }).toArray(),
    RangeError,
    /maxItems/,
  ])
  rows.push([
    'paginate limit above the list maximum',
    () => flat.paginate('/collections', { params: { query: { limit: 10_000 } } }).toArray(),
    RangeError,
    /limit/,
  ])
  rows.push(['omr.run with no files', () => flat.omr.run([]), Error as never, /files/])
  rows.push([
    'omr.wait longPollSeconds 26',
    () => flat.omr.wait('job', { longPollSeconds: 26 }),
    RangeError,
    /longPollSeconds/,
  ])
  rows.push([
    'omr.wait longPollSeconds -1',
    () => flat.omr.wait('job', { longPollSeconds: -1 }),
    RangeError,
    /longPollSeconds/,
  ])
  return rows
}

function oauthRows(): Row[] {
  const good = { clientId: 'app', redirectUri: 'http://127.0.0.1:1/cb', scopes: ['scores'] as const, state: 's' }
  return [
    [
      'createAuthorizationUrl empty clientId',
      () => createAuthorizationUrl({ ...good, clientId: '' }),
      TypeError,
      /clientId/,
    ],
    [
      'createAuthorizationUrl bad redirectUri',
      () => createAuthorizationUrl({ ...good, redirectUri: 'nope' }),
      TypeError,
      /redirectUri/,
    ],
    [
      'createAuthorizationUrl unknown scope',
      () => createAuthorizationUrl({ ...good, scopes: ['everything' as never] }),
      RangeError,
      /scope/,
    ],
    [
      'exchangeCode empty code',
      () => exchangeCode({ code: '', clientId: 'a', clientSecret: 'b', redirectUri: good.redirectUri }),
      TypeError,
      /code/,
    ],
    [
      'createOAuthTokenSource empty accessToken',
      () => createOAuthTokenSource({ accessToken: '', clientId: 'a', clientSecret: 'b' } as never),
      TypeError,
      /accessToken/,
    ],
  ]
}

const ROWS: Row[] = [...clientOptionRows(), ...requestRows(), ...oauthRows()]

describe(`bad input: ${ROWS.length} cases, each refused before anything is sent`, () => {
  it.each(ROWS)('%s is refused with a clear error naming the argument', async (_, call, ErrorType, names) => {
    const before = sim.requests.length
    let caught: unknown
    try {
      await call()
    } catch (error) {
      caught = error
    }

    expect(caught, 'expected an error').toBeInstanceOf(Error)
    expect(caught instanceof TypeError || caught instanceof RangeError).toBe(true)
    if (ErrorType !== (Error as never)) expect(caught).toBeInstanceOf(ErrorType)
    expect((caught as Error).message).toMatch(names)
    expect((caught as Error).message).not.toContain('tok\r\n')
    expect(sim.requests.length).toBe(before)
  })
})
