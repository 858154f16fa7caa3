import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { parseCliArgs, USAGE } from '../src/cli-options.js'

describe('parseCliArgs', () => {
  it('maps the flags to simulator options', () => {
    const { options } = parseCliArgs([
      '--port=0',
      '--seed=9',
      '--export-duration-ms=150',
      '--failure-rate=0.25',
      '--rate-limit=100',
      '--rate-limit-window-ms=60000',
      '--library=5',
      '--library-scores=40',
      '--fault-rate=0.2',
      '--fault-kinds=serverError:3,slow',
      '--slow-ms=50',
      '--oauth-client=app:secret',
      '--access-token-ttl-ms=1000',
      '--max-scores=10',
      '--no-log',
    ])

    expect(options).toEqual({
      port: 0,
      host: '127.0.0.1',
      seed: 9,
      exportDurationMs: 150,
      failureRate: 0.25,
      quota: { maxScores: 10 },
      rateLimit: { limit: 100, windowMs: 60_000 },
      library: {
        scores: 40,
        collections: 5,
        likes: 5,
        eduResources: 5,
        omrJobs: 5,
        organizationUsers: 5,
        organizationInvitations: 5,
      },
      faults: { rate: 0.2, kinds: { serverError: 3, slow: 1 }, slowMs: 50 },
      oauth: { clientId: 'app', clientSecret: 'secret', accessTokenTtlMs: 1000 },
      logRequests: false,
    })
  })

  it('defaults to port 4010 on 127.0.0.1 and turns the rate limit off with "off"', () => {
    expect(parseCliArgs([]).options).toEqual({ port: 4010, host: '127.0.0.1' })
    expect(parseCliArgs(['--rate-limit', 'off']).options.rateLimit).toBe(false)
  })

  it.each([
    [['--port', 'abc'], /--port/],
    [['--failure-rate', '2'], /--failure-rate/],
    [['--fault-kinds', 'meteor'], /unknown kind "meteor"/],
    [['--oauth-client', 'nosecret'], /--oauth-client/],
    [['--export-urls', 'cdn'], /--export-urls/],
  ])('refuses %j naming the flag', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(message)
  })

  it('refuses an unknown flag', () => {
    expect(() => parseCliArgs(['--colour'])).toThrow(/colour/)
  })

  it('documents every flag it takes in the help', () => {
    expect(parseCliArgs(['--help']).help).toBe(true)
    for (const flag of ['--port', '--seed', '--rate-limit', '--library', '--fault-rate', '--failure-rate']) {
      expect(USAGE).toContain(flag)
    }
  })
})

describe('the flat-simulator command', () => {
  let child: ChildProcess | undefined

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })

  it('starts, prints where it listens, serves the API and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
    child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--rate-limit', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/v2)/.exec(output)
        if (match) resolve(match[1] as string)
      })
      child?.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
    })

    const response = await fetch(`${baseUrl}/me`, { headers: { Authorization: 'Bearer cli' } })
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')

    expect(response.status).toBe(200)
    expect(response.headers.get('x-ratelimit-limit')).toBe('3')
    expect(output).toMatch(/files on http:\/\/127\.0\.0\.1:\d+/)
    expect(code).toBe(0)
  })
})
