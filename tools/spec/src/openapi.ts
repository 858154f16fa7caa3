import { isPlainObject, type JsonObject, resolveLocalRef, SpecToolError } from './util.js'

export interface OpenApiInfo {
  openapi: string
  version: string
  title: string | undefined
}

/** The minimum that makes a document usable here: `openapi: 3.x`, `info.version` and a `paths` object. */
export function assertOpenApi3(doc: unknown, label: string): asserts doc is JsonObject {
  const problem = openApi3Problem(doc)
  if (problem) throw new SpecToolError(`${label} is not an OpenAPI 3.x document: ${problem}`)
}

function openApi3Problem(doc: unknown): string | undefined {
  if (!isPlainObject(doc)) return 'the top level is not a mapping'
  if (typeof doc.openapi !== 'string') return 'no `openapi` version string'
  if (!/^3\.\d+(\.\d+)?$/.test(doc.openapi)) return `\`openapi: ${doc.openapi}\` is not 3.x`
  if (!isPlainObject(doc.info)) return 'no `info` object'
  if (typeof doc.info.version !== 'string' || doc.info.version === '') return 'no `info.version` string'
  if (!isPlainObject(doc.paths)) return 'no `paths` object'
  return undefined
}

export function openApiInfo(doc: JsonObject): OpenApiInfo {
  const info = isPlainObject(doc.info) ? doc.info : {}
  return {
    openapi: String(doc.openapi),
    version: String(info.version),
    title: typeof info.title === 'string' ? info.title : undefined,
  }
}

/** Every local `$ref` must point at something: an overlay that adds a dangling reference fails the sync. */
export function assertLocalRefsResolve(doc: JsonObject, label: string): void {
  const dangling = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item)
      return
    }
    if (!isPlainObject(node)) return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        if (value.startsWith('#') && resolveLocalRef(doc, value) === undefined) dangling.add(value)
      } else {
        visit(value)
      }
    }
  }
  visit(doc)
  if (dangling.size > 0) {
    const list = [...dangling].sort()
    throw new SpecToolError(
      `${label} has unresolved $ref: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', …' : ''}`,
    )
  }
}
