/**
 * TypeScript examples for each operation: the SDK helper where one exists, and the typed raw call, with
 * placeholder values built from the spec so the example type-checks as written.
 */
import { exampleForParameter, exampleFromSchema } from '../../contract/src/examples.js'
import { type OpenApiDocument, type OperationEntry, successCodes } from '../../contract/src/openapi.js'
import { literal, propertyKey } from './ts-types.js'

export const SETUP = [
  "import { createFlatClient } from '@flat-api/sdk'",
  '',
  'const flat = createFlatClient({ accessToken: process.env.FLAT_ACCESS_TOKEN })',
].join('\n')

const placeholder = (name: string): string => `<${name}>`
/** Realistic leaves, minimal objects: a full example body would bury the call. */
const BUILD = { placeholder, specExamples: 'primitives' } as const
const MAX_INLINE = 72

/** A value as TypeScript source: single quotes, bare keys where possible, broken over lines past ~72 columns. */
export function tsValue(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'undefined' : literal(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    const items = value.map((item) => tsValue(item, inner))
    const flat = `[${items.join(', ')}]`
    return flat.length <= MAX_INLINE && !flat.includes('\n')
      ? flat
      : `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}]`
  }
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${propertyKey(key)}: ${tsValue(item, inner)}`,
  )
  if (entries.length === 0) return '{}'
  const flat = `{ ${entries.join(', ')} }`
  return flat.length <= MAX_INLINE && !flat.includes('\n')
    ? flat
    : `{\n${entries.map((e) => `${inner}${e},`).join('\n')}\n${indent}}`
}

function successMedia(entry: OperationEntry): string[] {
  const code = successCodes(entry)[0]
  const response = code === undefined ? undefined : entry.responses[String(code)]
  return Object.keys(response?.content ?? {})
}

/** How openapi-fetch should read the success body: JSON by default, text or bytes for files. */
function parseAs(entry: OperationEntry): 'text' | 'arrayBuffer' | undefined {
  const types = successMedia(entry)
  if (types.length === 0 || types.every((type) => type.includes('json'))) return undefined
  return types.every((type) => type.startsWith('text/')) ? 'text' : 'arrayBuffer'
}

/** The init object of the raw call, or undefined when the operation needs none. */
export function rawInit(spec: OpenApiDocument, entry: OperationEntry): Record<string, unknown> | undefined {
  const params: Record<string, Record<string, unknown>> = {}
  for (const parameter of entry.parameters) {
    if (parameter.in !== 'path' && !parameter.required) continue
    const value = exampleForParameter(spec, parameter, BUILD)
    params[parameter.in] = { ...params[parameter.in], [parameter.name]: value }
  }
  const init: Record<string, unknown> = {}
  if (Object.keys(params).length > 0) init.params = params
  const json = Object.entries(entry.requestBody?.content ?? {}).find(([type]) => type.includes('json'))
  if (json && entry.requestBody?.required) init.body = exampleFromSchema(spec, json[1].schema ?? {}, 'body', BUILD)
  const as = parseAs(entry)
  if (as) init.parseAs = as
  return Object.keys(init).length > 0 ? init : undefined
}

/** `const { data, error, response } = await flat.raw.GET('/path', { ... })` and a use of the result. */
export function rawSnippet(spec: OpenApiDocument, entry: OperationEntry): string {
  const init = rawInit(spec, entry)
  const call = `flat.raw.${entry.method.toUpperCase()}('${entry.path}'${init ? `, ${tsValue(init)}` : ''})`
  const hasBody = successMedia(entry).length > 0
  return [
    `const { ${hasBody ? 'data, ' : ''}error, response } = await ${call}`,
    `if (error !== undefined) throw new Error(\`${entry.operationId} failed with HTTP \${response.status}\`)`,
    hasBody ? 'console.log(data)' : 'console.log(response.status)',
  ].join('\n')
}

interface HelperContext {
  spec: OpenApiDocument
  entry: OperationEntry
}

export interface HelperExample {
  /** Dotted path of the helper on the client; the example is used only when this build of the SDK has it. */
  helper: string
  code(context: HelperContext): string
}

/** Query parameters that carry a cursor or page size: `paginate` owns them. */
const CURSOR_PARAMS = new Set(['next', 'previous', 'limit'])

const paginate: HelperExample = {
  helper: 'paginate',
  code({ spec, entry }) {
    const path: Record<string, unknown> = {}
    const query: Record<string, unknown> = {}
    for (const parameter of entry.parameters) {
      if (parameter.in === 'path') path[parameter.name] = exampleForParameter(spec, parameter, BUILD)
      else if (parameter.in === 'query' && parameter.required && !CURSOR_PARAMS.has(parameter.name)) {
        query[parameter.name] = exampleForParameter(spec, parameter, BUILD)
      }
    }
    const params = { ...(Object.keys(path).length ? { path } : {}), ...(Object.keys(query).length ? { query } : {}) }
    const init = Object.keys(params).length > 0 ? `, ${tsValue({ params })}` : ''
    return [
      '// Follows the `Link: rel="next"` cursor page after page.',
      `for await (const item of flat.paginate('${entry.path}'${init})) {`,
      '  console.log(item)',
      '}',
    ].join('\n')
  },
}

/**
 * SDK helpers by operationId, one line each; an operation without one gets only the raw call. Helpers the SDK
 * has not shipped yet are skipped at build time, so listing one early is harmless.
 */
export const HELPER_EXAMPLES: Record<string, HelperExample[]> = {
  getTask: [
    {
      helper: 'tasks.get',
      code: () =>
        ["const task = await flat.tasks.get('<task>')", 'console.log(task.state, task.progress?.percent)'].join('\n'),
    },
    {
      helper: 'tasks.wait',
      code: () =>
        [
          '// Polls until the task is done; a failed or canceled task rejects with a typed error.',
          "const done = await flat.tasks.wait('<task>', { onProgress: (task) => console.log(task.progress?.percent) })",
          'console.log(done.result?.url)',
        ].join('\n'),
    },
  ],
  createExportTask: [
    {
      helper: 'scores.export',
      code: () =>
        [
          '// Starts the export and waits for the task: resolves once the file is ready.',
          "const task = await flat.scores.export('<score>', { format: 'mp3', revision: 'last' })",
          'console.log(task.result?.url)',
        ].join('\n'),
    },
    {
      helper: 'scores.exportAndDownload',
      code: () =>
        [
          '// Or export and download in one go: the file host gets no token.',
          "const file = await flat.scores.exportAndDownload('<score>', { format: 'wav' })",
          'console.log(file.filename, file.bytes)',
        ].join('\n'),
    },
  ],
  getScoreRevisionData: [
    {
      helper: 'scores.download',
      code: () =>
        [
          "// `xml` is a string, `json` is parsed, other formats are bytes; the file host's redirect is followed.",
          "const file = await flat.scores.download('<score>', { format: 'xml', revision: 'last' })",
          'console.log(file.filename, file.data.length)',
        ].join('\n'),
    },
  ],
  createScore: [
    {
      helper: 'scores.import',
      code: () =>
        [
          '// A file import; a PDF that needs OMR answers 202 with a task, which the helper waits for.',
          "const score = await flat.scores.import({ data: '<score-partwise>...</score-partwise>', filename: 'song.musicxml' })",
          'console.log(score.id, score.htmlUrl)',
        ].join('\n'),
    },
  ],
  createOmrJob: [
    {
      helper: 'omr.run',
      code: () =>
        [
          "import { readFile } from 'node:fs/promises'",
          '// Creates the job, follows it, answers its steps with the detected values and returns the result.',
          "const result = await flat.omr.run([{ data: await readFile('sheet.pdf'), filename: 'sheet.pdf' }])",
          'console.log(result.job.status, result.score)',
        ].join('\n'),
    },
    {
      helper: 'omr.create',
      code: () =>
        [
          '// Or a draft, to add files and start it yourself.',
          'const draft = await flat.omr.create()',
          'console.log(draft.id)',
        ].join('\n'),
    },
  ],
  getOmrJob: [
    {
      helper: 'omr.get',
      code: () =>
        ["const job = await flat.omr.get('<job>', { waitSeconds: 10 })", 'console.log(job.status)'].join('\n'),
    },
    {
      helper: 'omr.wait',
      code: () =>
        [
          '// Long-polls until the job is done; `error` and `canceled` reject with typed errors.',
          "const done = await flat.omr.wait('<job>', { onProgress: (job) => console.log(job.progress?.percent) })",
          'console.log(done.status)',
        ].join('\n'),
    },
  ],
  addOmrJobFile: [
    {
      helper: 'omr.addFile',
      code: () =>
        [
          "const uploaded = await flat.omr.addFile('<job>', { data: new Uint8Array([0x25, 0x50, 0x44, 0x46]), filename: 'page.pdf' })",
          'console.log(uploaded)',
        ].join('\n'),
    },
  ],
  startOmrJob: [
    {
      helper: 'omr.start',
      code: () => ["const job = await flat.omr.start('<job>')", 'console.log(job.status)'].join('\n'),
    },
  ],
  submitOmrJobStep: [
    {
      helper: 'omr.submitStep',
      code: () =>
        ["const job = await flat.omr.submitStep('<job>', { step: 'details' })", 'console.log(job.status)'].join('\n'),
    },
  ],
  cancelOmrJob: [
    {
      helper: 'omr.cancel',
      code: () => ["const job = await flat.omr.cancel('<job>')", 'console.log(job.status)'].join('\n'),
    },
  ],
  getOmrJobExport: [
    {
      helper: 'omr.download',
      code: () =>
        [
          "const file = await flat.omr.download('<job>', 'musicxml')",
          'console.log(file.filename, file.data.length)',
        ].join('\n'),
    },
  ],
  getOmrCapabilities: [
    {
      helper: 'omr.capabilities',
      code: () => ['const capabilities = await flat.omr.capabilities()', 'console.log(capabilities)'].join('\n'),
    },
  ],
}

/** The operations whose lists are paged with `next` / `previous` cursors. */
export function isPaginated(entry: OperationEntry): boolean {
  return entry.method === 'get' && entry.parameters.some((p) => p.in === 'query' && p.name === 'next')
}

/** Helper examples that apply to `entry` and exist in this build of the SDK. */
export function helperExamples(entry: OperationEntry, available: ReadonlySet<string>): HelperExample[] {
  const listed = [...(HELPER_EXAMPLES[entry.operationId] ?? []), ...(isPaginated(entry) ? [paginate] : [])]
  return listed.filter((example) => available.has(example.helper))
}

/**
 * The example section of an operation, as Markdown: the helper first where there is one, then the raw call.
 * Only the first block creates the client; the docs' prose says the others reuse it.
 */
export function exampleMarkdown(spec: OpenApiDocument, entry: OperationEntry, available: ReadonlySet<string>): string {
  const helpers = helperExamples(entry, available)
  const blocks: string[] = []
  const fence = (code: string): string => `\`\`\`ts\n${code}\n\`\`\``
  if (helpers.length > 0) {
    const codes = helpers.map((example) => example.code({ spec, entry }))
    // A helper's own imports join the setup's at the top of the block.
    const lines = codes.map((code) => code.split('\n'))
    const imports = lines.flatMap((code) => code.filter((line) => line.startsWith('import ')))
    const bodies = lines.map((code) =>
      code
        .filter((line) => !line.startsWith('import '))
        .join('\n')
        .trim(),
    )
    const [setupImport, ...setupRest] = SETUP.split('\n')
    const head = [setupImport, ...imports, ...setupRest].join('\n')
    blocks.push(`With the SDK helper (\`flat.${helpers.map((h) => h.helper).join('`, `flat.')}\`):`)
    blocks.push(fence([head, '', bodies.join('\n\n')].join('\n')))
    blocks.push('The same call through the typed raw client, with the `flat` client above:')
    blocks.push(fence(rawSnippet(spec, entry)))
  } else {
    blocks.push(fence([SETUP, '', rawSnippet(spec, entry)].join('\n')))
  }
  return blocks.join('\n\n')
}
