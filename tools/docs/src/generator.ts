/**
 * Java and the openapi-generator JAR: the version is pinned in the repo's `openapitools.json`, the JAR lives in
 * its `storageDir` (git-ignored), fetched by the npm wrapper or, failing that, by Maven.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const WRAPPER_BIN = resolve(REPO_ROOT, 'node_modules/.bin/openapi-generator-cli')
const CONFIG_PATH = resolve(REPO_ROOT, 'openapitools.json')
const MIN_JAVA = 11

/** A failure the build reports as one clear message and exit code 1, without a stack trace. */
export class DocsBuildError extends Error {
  override readonly name = 'DocsBuildError'
}

export interface GeneratorConfig {
  version: string
  jarPath: string
  storageDir: string
}

export function readGeneratorConfig(path: string = CONFIG_PATH): GeneratorConfig {
  const config = JSON.parse(readFileSync(path, 'utf8')) as {
    'generator-cli'?: { version?: string; storageDir?: string }
  }
  const version = config['generator-cli']?.version
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new DocsBuildError(`${path} must pin generator-cli.version to a release, e.g. "7.25.0"`)
  }
  const storageDir = resolve(
    dirname(path),
    config['generator-cli']?.storageDir ?? 'node_modules/@openapitools/openapi-generator-cli/versions',
  )
  return { version, storageDir, jarPath: resolve(storageDir, `${version}.jar`) }
}

/** The major version of the `java` on PATH; throws a DocsBuildError naming what to install when there is none. */
export function checkJava(): number {
  const hint = 'Java 17+ is needed to build the reference docs: apt-get install openjdk-17-jre-headless'
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (result.error || result.status !== 0) {
    const why = result.error ? (result.error as NodeJS.ErrnoException).code : `exit code ${result.status}`
    throw new DocsBuildError(`${hint} (java -version failed: ${why})`)
  }
  // `java -version` prints to stderr: `openjdk version "17.0.15" ...` or `java version "1.8.0_401"`.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`)
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : Number.NaN
  if (!(major >= MIN_JAVA)) throw new DocsBuildError(`${hint} (found: ${result.stderr.split('\n')[0]?.trim()})`)
  return major
}

function jarWorks(config: GeneratorConfig): boolean {
  if (!existsSync(config.jarPath)) return false
  const result = spawnSync('java', ['-jar', config.jarPath, 'version'], { encoding: 'utf8' })
  return result.status === 0 && result.stdout.trim() === config.version
}

/**
 * Makes sure the pinned JAR is present and runs. The wrapper downloads into `storageDir` on any command; it reads
 * `openapitools.json` from the working directory it believes in (`PWD`), so both point at the repo root.
 */
export function ensureJar(config: GeneratorConfig, log: (line: string) => void): void {
  if (jarWorks(config)) return
  log(`fetching openapi-generator-cli ${config.version} with the npm wrapper`)
  spawnSync(WRAPPER_BIN, ['version'], {
    cwd: REPO_ROOT,
    // The version is pinned, so the wrapper needs no search of the repository's version list.
    env: { ...process.env, PWD: REPO_ROOT, OPENAPI_GENERATOR_CLI_SEARCH_URL: 'DEFAULT' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10 * 60_000,
  })
  if (jarWorks(config)) return

  log(`the wrapper could not fetch it; trying mvn dependency:copy`)
  const artifact = `org.openapitools:openapi-generator-cli:${config.version}`
  const mvn = spawnSync(
    'mvn',
    ['-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${config.storageDir}`],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 },
  )
  const copied = resolve(config.storageDir, `openapi-generator-cli-${config.version}.jar`)
  if (mvn.status === 0 && existsSync(copied)) renameSync(copied, config.jarPath)
  if (jarWorks(config)) return
  throw new DocsBuildError(
    `could not get openapi-generator-cli ${config.version} into ${config.storageDir}: the npm wrapper and ` +
      `mvn dependency:copy both failed${mvn.error ? ` (mvn: ${(mvn.error as NodeJS.ErrnoException).code})` : ''}`,
  )
}

export interface RunResult {
  status: number
  output: string
}

/** Runs the generator CLI (`validate`, `generate`, ...) and returns its exit code and combined output. */
export function runGenerator(config: GeneratorConfig, args: readonly string[]): RunResult {
  const result = spawnSync('java', ['-jar', config.jarPath, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // A generation takes seconds; a hung JVM must not hold the build forever.
    timeout: 5 * 60_000,
  })
  if (result.error) throw new DocsBuildError(`could not run java: ${result.error.message}`)
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` }
}
