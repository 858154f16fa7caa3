import { parseArgs } from 'node:util'
import { FAULT_KINDS, type FaultKind } from './faults.js'
import type { LibraryOptions } from './library.js'
import type { SimulatorOptions } from './server.js'

export const USAGE = `Usage: flat-simulator [options]

Serves a simulated Flat API on <host>:<port>/v2 and its file host on another port.

  --port <n>                  API port (default 4010; 0 picks a free one)
  --file-host-port <n>        file host port (default 0: a free one)
  --host <address>            interface for both (default 127.0.0.1)
  --seed <n>                  seed for ids, outcomes, library and faults (default 1)
  --tokens <a,b>              accepted bearer tokens (default: any)
  --export-duration-ms <n>    export task duration (default 2000)
  --import-duration-ms <n>    PDF import task duration (default 2000)
  --omr-duration-ms <n>       OMR job processing time (default 2000)
  --failure-rate <0..1>       share of export and import tasks that fail (default 0)
  --rate-limit <n|off>        requests per window and token, e.g. 7200 as Flat (default off)
  --rate-limit-window-ms <n>  rate-limit window (default 3600000)
  --library <n>               seed n of every list: scores, collections, likes, ... (default 0)
  --library-scores <n>        seed n scores (overrides --library for scores)
  --library-collections <n>   seed n collections (overrides --library for collections)
  --max-scores <n>            score quota: imports past it answer 402 (default unlimited)
  --fault-rate <0..1>         share of /v2 requests given a fault (default 0)
  --fault-kinds <k[:w],...>   kinds and weights, of ${FAULT_KINDS.join(', ')} (default all, weight 1)
  --fault-seed <n>            seed of the fault sequence (default --seed)
  --slow-ms <n>               delay of a slow fault (default 5000)
  --export-urls <api|fileHost> where export results point (default api)
  --oauth-client <id:secret>  enable the OAuth2 endpoints for this client
  --access-token-ttl-ms <n>   lifetime of OAuth access tokens (default 3600000)
  --no-log                    keep no request log (long benchmarks)
  --help                      show this help
`

export interface CliResult {
  help: boolean
  options: SimulatorOptions
}

function number(name: string, value: string | undefined, min = 0, max = Number.POSITIVE_INFINITY): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (value.trim() === '' || !(parsed >= min && parsed <= max)) {
    throw new RangeError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return parsed
}

function faultKinds(value: string): Partial<Record<FaultKind, number>> {
  const kinds: Partial<Record<FaultKind, number>> = {}
  for (const item of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [kind = '', weight] = item.split(':')
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new RangeError(`--fault-kinds: unknown kind ${JSON.stringify(kind)}; known: ${FAULT_KINDS.join(', ')}`)
    }
    kinds[kind as FaultKind] = number('fault-kinds', weight ?? '1') ?? 1
  }
  return kinds
}

/** Command-line flags to simulator options; throws `RangeError` naming the flag for a bad value. */
export function parseCliArgs(args: readonly string[]): CliResult {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      port: { type: 'string', default: '4010' },
      'file-host-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      tokens: { type: 'string' },
      'export-duration-ms': { type: 'string' },
      'import-duration-ms': { type: 'string' },
      'omr-duration-ms': { type: 'string' },
      'failure-rate': { type: 'string' },
      'rate-limit': { type: 'string' },
      'rate-limit-window-ms': { type: 'string' },
      library: { type: 'string' },
      'library-scores': { type: 'string' },
      'library-collections': { type: 'string' },
      'max-scores': { type: 'string' },
      'fault-rate': { type: 'string' },
      'fault-kinds': { type: 'string' },
      'fault-seed': { type: 'string' },
      'slow-ms': { type: 'string' },
      'export-urls': { type: 'string' },
      'oauth-client': { type: 'string' },
      'access-token-ttl-ms': { type: 'string' },
      'no-log': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return { help: true, options: {} }
  const options: SimulatorOptions = {
    port: number('port', values.port, 0, 65535) ?? 4010,
    host: values.host ?? '127.0.0.1',
  }
  const set = <K extends keyof SimulatorOptions>(key: K, value: SimulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value
  }
  set('fileHostPort', number('file-host-port', values['file-host-port'], 0, 65535))
  set('seed', number('seed', values.seed, 0, 0xffffffff))
  set('tokens', values.tokens?.split(',').filter(Boolean))
  set('exportDurationMs', number('export-duration-ms', values['export-duration-ms']))
  set('importDurationMs', number('import-duration-ms', values['import-duration-ms']))
  set('failureRate', number('failure-rate', values['failure-rate'], 0, 1))
  set(
    'quota',
    values['max-scores'] === undefined ? undefined : { maxScores: number('max-scores', values['max-scores']) },
  )

  const omrDurationMs = number('omr-duration-ms', values['omr-duration-ms'])
  if (omrDurationMs !== undefined) options.omr = { plan: { durationMs: omrDurationMs } }

  if (values['rate-limit'] === 'off') options.rateLimit = false
  else {
    const limit = number('rate-limit', values['rate-limit'], 1)
    const windowMs = number('rate-limit-window-ms', values['rate-limit-window-ms'], 1)
    if (limit !== undefined || windowMs !== undefined) {
      options.rateLimit = { ...(limit !== undefined ? { limit } : {}), ...(windowMs !== undefined ? { windowMs } : {}) }
    }
  }

  const all = number('library', values.library)
  const scores = number('library-scores', values['library-scores']) ?? all
  const collections = number('library-collections', values['library-collections']) ?? all
  if (all !== undefined || scores !== undefined || collections !== undefined) {
    const library: LibraryOptions = {}
    if (all !== undefined) {
      Object.assign(library, {
        likes: all,
        eduResources: all,
        omrJobs: all,
        organizationUsers: all,
        organizationInvitations: all,
      })
    }
    if (scores !== undefined) library.scores = scores
    if (collections !== undefined) library.collections = collections
    options.library = library
  }

  const faultRate = number('fault-rate', values['fault-rate'], 0, 1)
  if (faultRate !== undefined || values['fault-kinds'] !== undefined) {
    options.faults = { rate: faultRate ?? 0.1 }
    if (values['fault-kinds'] !== undefined) options.faults.kinds = faultKinds(values['fault-kinds'])
    const faultSeed = number('fault-seed', values['fault-seed'], 0, 0xffffffff)
    if (faultSeed !== undefined) options.faults.seed = faultSeed
    const slowMs = number('slow-ms', values['slow-ms'])
    if (slowMs !== undefined) options.faults.slowMs = slowMs
  }

  const exportUrls = values['export-urls']
  if (exportUrls !== undefined) {
    if (exportUrls !== 'api' && exportUrls !== 'fileHost') {
      throw new RangeError(`--export-urls must be api or fileHost, got ${JSON.stringify(exportUrls)}`)
    }
    options.exportUrls = exportUrls
  }

  const client = values['oauth-client']
  if (client !== undefined) {
    const [clientId, clientSecret] = client.split(':')
    if (!clientId || !clientSecret) throw new RangeError('--oauth-client must be <id>:<secret>')
    const accessTokenTtlMs = number('access-token-ttl-ms', values['access-token-ttl-ms'], 1)
    options.oauth = { clientId, clientSecret, ...(accessTokenTtlMs !== undefined ? { accessTokenTtlMs } : {}) }
  }

  if (values['no-log']) options.logRequests = false
  return { help: false, options }
}
