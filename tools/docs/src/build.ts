/**
 * Builds the reference docs into packages/raw/docs: validates the resolved spec, annotates a copy with TypeScript
 * renderings, and runs openapi-generator's markdown generator with our templates. Same spec in, same bytes out.
 *
 *   node --import tsx tools/docs/src/build.ts [--out <dir>] [--spec <resolved spec>]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { listOperations, loadSpec, RESOLVED_SPEC_PATH } from '../../contract/src/openapi.js'
import { annotateSpec } from './annotate.js'
import { checkJava, DocsBuildError, ensureJar, REPO_ROOT, readGeneratorConfig, runGenerator } from './generator.js'

export const DEFAULT_OUT_DIR = resolve(REPO_ROOT, 'packages/raw/docs')
export const TEMPLATES_DIR = resolve(import.meta.dirname, '../templates')

const log = (line: string): void => {
  process.stdout.write(`docs: ${line}\n`)
}

/** The helpers this build of @flat-api/sdk exposes (`tasks.get`, `paginate`, ...), found on a client instance. */
export async function availableHelpers(): Promise<Set<string>> {
  const sdk = await import('@flat-api/sdk').catch((cause: unknown) => {
    throw new DocsBuildError(`cannot load @flat-api/sdk (build it first: npx turbo run build): ${String(cause)}`)
  })
  const { createFlatClient } = sdk
  // Constructing a client sends nothing; the loopback URL keeps even a mistake local.
  const flat = createFlatClient({ baseUrl: 'http://127.0.0.1:9' }) as unknown as Record<string, unknown>
  const names = new Set<string>()
  for (const [key, value] of Object.entries(flat)) {
    if (key === 'raw') continue
    if (typeof value === 'function') names.add(key)
    else if (value && typeof value === 'object') {
      for (const [member, inner] of Object.entries(value))
        if (typeof inner === 'function') names.add(`${key}.${member}`)
    }
  }
  return names
}

/**
 * Trailing spaces and runs of blank lines come from template sections that rendered empty. Table cells hold the
 * generator's one-line descriptions, escaped for a code string literal (`\"`, `\\`); Markdown wants them plain.
 */
export function tidy(text: string): string {
  return `${text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => (line.startsWith('|') ? line.replace(/\\(["\\])/g, '$1') : line).trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`
}

function validate(config: ReturnType<typeof readGeneratorConfig>, specPath: string): void {
  const { status, output } = runGenerator(config, ['validate', '--recommend', '-i', specPath])
  const findings = output.split('\n').filter((line) => /^\s*[-|]\s|^\s*\t-/.test(line))
  if (status !== 0) throw new DocsBuildError(`the resolved spec does not validate:\n${output.trim()}`)
  log(findings.length === 0 ? 'spec validates with no warnings' : `spec validates with ${findings.length} warnings:`)
  for (const finding of findings) log(`  ${finding.trim()}`)
}

/**
 * The spec's descriptions link in the style of Flat's own reference site (`#operation/getScore`, `#tag/Score`);
 * here those are pages and anchors.
 */
export function rewriteSiteLinks(text: string, tagOf: ReadonlyMap<string, string>): string {
  return text
    .replace(/\]\(#operation\/([\w-]+)\)/g, (link, id: string) =>
      tagOf.has(id) ? `](${tagOf.get(id)}Api.md#${id})` : link,
    )
    .replace(/\]\(#tag\/([\w-]+)\)/g, (_, tag: string) => `](${tag}Api.md)`)
}

/** Collects the pages the generator wrote (README, Apis/, Models/) into one flat folder of tidied files. */
function collectPages(generated: string, staging: string, tagOf: ReadonlyMap<string, string>): string[] {
  mkdirSync(staging, { recursive: true })
  const pages: string[] = []
  const sources = [
    join(generated, 'README.md'),
    ...['Apis', 'Models'].flatMap((folder) =>
      readdirSync(join(generated, folder))
        .filter((file) => file.endsWith('.md'))
        .map((file) => join(generated, folder, file)),
    ),
  ]
  for (const source of sources.sort()) {
    const name = basename(source)
    if (pages.includes(name)) throw new DocsBuildError(`two generated pages are both named ${name}`)
    pages.push(name)
    writeFileSync(join(staging, name), tidy(rewriteSiteLinks(readFileSync(source, 'utf8'), tagOf)))
  }
  return pages
}

export interface BuildOptions {
  outDir?: string
  specPath?: string
}

export async function buildDocs(options: BuildOptions = {}): Promise<string[]> {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR)
  const specPath = resolve(options.specPath ?? RESOLVED_SPEC_PATH)
  const javaMajor = checkJava()
  const config = readGeneratorConfig()
  ensureJar(config, log)
  log(`openapi-generator ${config.version} on Java ${javaMajor}`)
  validate(config, specPath)

  const spec = loadSpec(specPath)
  const work = mkdtempSync(join(tmpdir(), 'flat-docs-'))
  try {
    const annotatedPath = join(work, 'spec.json')
    writeFileSync(annotatedPath, JSON.stringify(annotateSpec(spec, await availableHelpers())))
    const generated = join(work, 'out')
    const { status, output } = runGenerator(config, [
      'generate',
      '-g',
      'markdown',
      '-i',
      annotatedPath,
      '-o',
      generated,
      '-t',
      TEMPLATES_DIR,
      // Array and map components get a page of their own, like every other schema.
      '--generate-alias-as-model',
      // Validated above, against the spec as resolved rather than our annotated copy.
      '--skip-validate-spec',
      // Keeps a one-variant oneOf (OmrStepSubmission) as the model it is instead of folding it into its variant.
      '--openapi-normalizer',
      'SIMPLIFY_ONEOF_ANYOF=false',
    ])
    if (status !== 0) throw new DocsBuildError(`openapi-generator failed:\n${output.trim()}`)
    const warnings = output.split('\n').filter((line) => line.includes(' WARN '))
    for (const warning of warnings) log(`generator: ${warning.replace(/^.*? WARN\s+/, '')}`)

    // Built beside the target and swapped in, so a failed build leaves the previous docs whole.
    const staging = `${outDir}.${process.pid}.tmp`
    rmSync(staging, { recursive: true, force: true })
    const tagOf = new Map(listOperations(spec).map((entry) => [entry.operationId, entry.operation.tags?.[0] ?? '']))
    const pages = collectPages(generated, staging, tagOf)
    mkdirSync(dirname(outDir), { recursive: true })
    rmSync(outDir, { recursive: true, force: true })
    renameSync(staging, outDir)
    log(`${pages.length} pages in ${outDir}`)
    return pages
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, spec: { type: 'string' } } })
  try {
    await buildDocs({ outDir: values.out, specPath: values.spec })
  } catch (error) {
    process.stderr.write(`docs: ${error instanceof DocsBuildError ? error.message : String(error)}\n`)
    if (!(error instanceof DocsBuildError) && error instanceof Error && error.stack)
      process.stderr.write(`${error.stack}\n`)
    process.exitCode = 1
  }
}
