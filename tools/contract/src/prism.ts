/**
 * Runs Prism (`@stoplight/prism-cli`) as a child process on a free loopback port, and reads what it reports.
 *
 * How Prism 5.14 reports a contract violation (prism-http-server's server.js and prism-core's factory.js):
 * - every response whose request or response broke the spec carries an `sl-violations` header: a JSON array of
 *   `{ location: ['request' | 'response', ...], severity: 'Error' | 'Warning' | ..., code, message }`;
 * - with `--errors`, a response violation of severity Error replaces the response with a 500
 *   `application/problem+json` body of type `https://stoplight.io/prism/errors#VIOLATIONS`; in proxy mode a request
 *   violation is answered with 422 (or 401 for security) without forwarding;
 * - each violation is also logged as `Violation: <location> <message>` by the VALIDATOR logger. The single-process
 *   CLI prints its pino log lines through signale, so stdout holds text lines such as
 *   `[VALIDATOR] ✖  error     Violation: response.body ...`, not JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const PRISM_BIN = resolve(repoRoot, 'node_modules/.bin/prism')

export const VIOLATIONS_PROBLEM = 'https://stoplight.io/prism/errors#VIOLATIONS'

export interface Violation {
  location: string[]
  severity: string
  code?: string | number
  message: string
}

export interface PrismProcess {
  /** Origin Prism listens on, e.g. `http://127.0.0.1:43121`; the spec's paths hang directly off it. */
  readonly url: string
  readonly pid: number
  /** Everything Prism printed so far, stdout and stderr interleaved. */
  output(): string
  /**
   * Log lines that report a violation (`Violation: ...`) or a request Prism ended with an error, from `offset`
   * (a length of `output()` taken earlier) on.
   */
  violationLines(offset?: number): string[]
  /** Stops Prism and waits for it to exit. */
  stop(): Promise<void>
}

export interface PrismOptions {
  /** Longest wait for Prism to listen, in milliseconds. Default 30000. */
  startTimeoutMs?: number
}

/** A port that was free a moment ago: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (!address || typeof address === 'string') throw new Error('could not read the port of a probe server')
  return address.port
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = new Socket()
    const done = (ok: boolean): void => {
      socket.destroy()
      resolvePromise(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.connect(port, '127.0.0.1')
  })
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true
  const timer = new Promise<false>((resolvePromise) => setTimeout(() => resolvePromise(false), timeoutMs).unref())
  return Promise.race([once(child, 'exit').then(() => true), timer])
}

/**
 * Starts `prism <args...> --host 127.0.0.1 --port <free>` and resolves once it accepts connections.
 * Rejects, with Prism's output, if it exits first or does not listen within the timeout; either way no process is
 * left behind.
 */
export async function startPrism(args: readonly string[], options: PrismOptions = {}): Promise<PrismProcess> {
  if (!existsSync(PRISM_BIN)) throw new Error(`Prism is not installed at ${PRISM_BIN}: run npm install`)
  const startTimeoutMs = options.startTimeoutMs ?? 30_000
  const port = await freePort()
  const child = spawn(PRISM_BIN, [...args, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Plain text logs: chalk would otherwise colour them when it believes a terminal is attached.
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${PRISM_BIN}`)
  const chunks: string[] = []
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  const output = (): string => chunks.join('')

  // Should the test process end without calling stop(), Prism must not outlive it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL')
  }
  process.once('exit', killOnExit)

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    process.kill(pid, 'SIGTERM')
    if (await waitForExit(child, 5_000)) return
    process.kill(pid, 'SIGKILL')
    await waitForExit(child, 5_000)
  }

  const deadline = Date.now() + startTimeoutMs
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Prism exited (${child.exitCode ?? child.signalCode}) before listening:\n${output()}`)
    }
    if (output().includes('Prism is listening on') && (await canConnect(port))) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Prism did not listen on port ${port} within ${startTimeoutMs} ms:\n${output()}`)
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100))
  }

  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    output,
    violationLines: (offset = 0) =>
      output()
        .slice(offset)
        .split('\n')
        .filter((line) => /Violation:|Request terminated with error/.test(line)),
    stop,
  }
}

/** The violations Prism attached to a response, from its `sl-violations` header. */
export function readViolations(response: Response): Violation[] {
  const header = response.headers.get('sl-violations')
  if (!header) return []
  try {
    return JSON.parse(header) as Violation[]
  } catch {
    // Prism truncates an oversized list and prefixes it with prose; keep it readable rather than lose it.
    return [{ location: ['unknown'], severity: 'Error', message: header }]
  }
}

/** One line per violation: `response.body.children.0 must have required property 'id' (Error)`. */
export function formatViolation(violation: Violation): string {
  return `${violation.location.join('.')}: ${violation.message} (${violation.severity})`
}
