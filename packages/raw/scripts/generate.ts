/**
 * Generates the raw types from the resolved spec, and a type-level inventory test that calls every operation.
 * Output is deterministic: same spec in, byte-identical files out.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { parse } from 'yaml'

const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = resolve(here, '..')
const specPath = resolve(packageRoot, '../../openapi/flat-api.yaml')
const HEADER = '// Generated from the resolved Flat OpenAPI spec by scripts/generate.ts. Do not edit.\n'
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const

interface Operation {
  method: (typeof METHODS)[number]
  path: string
  operationId: string
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, path)
}

function listOperations(spec: { paths?: Record<string, Record<string, { operationId?: string }>> }): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method]
      if (operation) operations.push({ method, path, operationId: operation.operationId ?? `${method} ${path}` })
    }
  }
  return operations
}

/**
 * One typed call per operation, plus the paths that carry no operation (they must not be callable).
 * The init is typed from the operation itself, so the file stays valid for any spec without anyone building inputs.
 */
function renderInventory(spec: Parameters<typeof listOperations>[0], operations: Operation[]): string {
  const lines = [
    HEADER,
    "import type { MaybeOptionalInit } from 'openapi-fetch'",
    "import type { paths } from '../../src/index.js'",
    "import { createRawClient } from '../../src/index.js'",
    '',
    'declare function init<P extends keyof paths, M extends keyof paths[P] & string>(path: P, method: M): MaybeOptionalInit<paths[P], M>',
    '',
    `export const operationCount = ${operations.length}`,
    '',
    'export function callEveryOperation(client: ReturnType<typeof createRawClient>): Promise<unknown>[] {',
    '  return [',
  ]
  for (const op of operations) {
    const verb = op.method.toUpperCase()
    const path = JSON.stringify(op.path)
    lines.push(`    // ${op.operationId}`)
    lines.push(`    client.${verb}(${path}, init(${path}, '${op.method}')),`)
  }
  lines.push('  ]', '}', '')
  const empty = Object.entries(spec.paths ?? {}).filter(([, item]) => !METHODS.some((m) => item[m]))
  lines.push('export function callPathsWithoutOperations(client: ReturnType<typeof createRawClient>): void {')
  for (const [path] of empty) {
    for (const method of METHODS.filter((m) => m === 'get' || m === 'post')) {
      lines.push('  // @ts-expect-error the spec declares this path with no operation')
      lines.push(`  client.${method.toUpperCase()}(${JSON.stringify(path)}, {})`)
    }
  }
  lines.push('}', '')
  return lines.join('\n')
}

async function main(): Promise<void> {
  const source = await readFile(specPath, 'utf8').catch((error: unknown) => {
    throw new Error(`cannot read the resolved spec at ${specPath}: run the spec task first (npm run spec:sync)`, {
      cause: error,
    })
  })
  const spec = parse(source)
  const ast = await openapiTS(spec, {
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
    alphabetize: false,
    // A default in the spec makes a field optional to send; it says nothing about what a response omits.
    defaultNonNullable: false,
    silent: true,
  })
  const types = `${HEADER}${astToString(ast)}`
  await writeAtomic(resolve(packageRoot, 'src/generated/schema.gen.ts'), types)

  const operations = listOperations(spec)
  await writeAtomic(resolve(packageRoot, 'test/generated/inventory.gen.ts'), renderInventory(spec, operations))
  const info = spec.info as { version?: string } | undefined
  process.stdout.write(`generated types for Flat API ${info?.version ?? '?'}: ${operations.length} operations\n`)
}

await main()
