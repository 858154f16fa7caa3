import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { JSONPath } from 'jsonpath-plus'
import { compareStrings, errorMessage, isPlainObject, type JsonObject, parseYaml, SpecToolError } from './util.js'

export interface OverlayAction {
  target: string
  description?: string
  update?: unknown
  remove?: boolean
}

export interface OverlayDocument {
  overlay: string
  info: { title: string; version: string }
  actions: OverlayAction[]
}

export interface LoadedOverlay {
  /** File name only, e.g. `rate-limit.yaml`: what errors and the resolved spec's header name. */
  file: string
  document: OverlayDocument
}

/** Loads `*.yaml` from `dir` in file-name order; a missing folder means no overlays. */
export async function loadOverlays(dir: string): Promise<LoadedOverlay[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const files = names.filter((name) => name.endsWith('.yaml')).sort(compareStrings)
  const out: LoadedOverlay[] = []
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8')
    out.push({ file, document: validateOverlay(parseYaml(text, `overlay ${file}`), file) })
  }
  return out
}

/** Checks the Overlay 1.0 shape; `file` only labels the errors. */
export function validateOverlay(value: unknown, file: string): OverlayDocument {
  function fail(problem: string): never {
    throw new SpecToolError(`overlay ${file}: ${problem}`)
  }
  if (!isPlainObject(value)) fail('the top level is not a mapping')
  if (typeof value.overlay !== 'string' || !/^1\.0\.\d+$/.test(value.overlay)) {
    fail(`\`overlay\` must be a 1.0.x version string, got ${JSON.stringify(value.overlay) ?? 'nothing'}`)
  }
  const info = value.info
  if (!isPlainObject(info)) fail('no `info` object')
  if (typeof info.title !== 'string' || info.title.trim() === '') fail('no `info.title` string')
  if (typeof info.version !== 'string' || info.version.trim() === '') fail('no `info.version` string')
  if (!Array.isArray(value.actions) || value.actions.length === 0) fail('`actions` must be a non-empty list')
  for (const [index, action] of (value.actions as unknown[]).entries()) {
    const where = `action ${index + 1}`
    if (!isPlainObject(action)) fail(`${where} is not a mapping`)
    if (typeof action.target !== 'string' || !action.target.startsWith('$')) {
      fail(`${where}: \`target\` must be a JSONPath string starting with $`)
    }
    if (action.remove !== undefined && typeof action.remove !== 'boolean')
      fail(`${where}: \`remove\` must be a boolean`)
    if (action.remove !== true && action.update === undefined) fail(`${where}: needs \`update\` or \`remove: true\``)
  }
  return value as unknown as OverlayDocument
}

interface Match {
  value: unknown
  parent: unknown
  parentProperty: string | number | null
}

/**
 * Applies one overlay in place. Semantics follow Overlay 1.0: actions run in order, each on the result of the
 * previous one; `update` is merged into every selected object or appended to every selected array; `remove`
 * deletes every selected node from its parent. A target that selects nothing is an error, so an overlay
 * that a new upstream version made stale fails loudly instead of silently doing nothing.
 */
export function applyOverlay(doc: JsonObject, overlay: LoadedOverlay): void {
  overlay.document.actions.forEach((action, index) => {
    const where = `overlay ${overlay.file}, action ${index + 1} (target ${action.target})`
    const matches = selectNodes(doc, action.target, where)
    if (matches.length === 0) throw new SpecToolError(`${where}: the target matches nothing in the spec`)
    for (const match of matches) {
      if (typeof match.value !== 'object' || match.value === null) {
        throw new SpecToolError(`${where}: the target selects a primitive value; select its containing object`)
      }
    }
    if (action.remove === true) removeNodes(matches, where)
    else for (const match of matches) updateNode(match.value as object, action.update, where)
  })
}

function selectNodes(doc: JsonObject, target: string, where: string): Match[] {
  try {
    // `safe` evaluates filter expressions with jsonpath-plus's own interpreter, never with eval or vm.
    return JSONPath({ path: target, json: doc, resultType: 'all', eval: 'safe', wrap: true }) as Match[]
  } catch (error) {
    throw new SpecToolError(`${where}: invalid JSONPath: ${errorMessage(error)}`)
  }
}

function removeNodes(matches: Match[], where: string): void {
  // Array items go last-index-first so earlier removals do not shift the indexes of later ones.
  const seen = new Map<unknown, Set<number>>()
  const arrayItems = matches.filter((m) => {
    if (!Array.isArray(m.parent)) return false
    const indexes = seen.get(m.parent) ?? new Set<number>()
    seen.set(m.parent, indexes)
    if (indexes.has(Number(m.parentProperty))) return false
    indexes.add(Number(m.parentProperty))
    return true
  })
  arrayItems.sort((a, b) => Number(b.parentProperty) - Number(a.parentProperty))
  for (const match of arrayItems) (match.parent as unknown[]).splice(Number(match.parentProperty), 1)
  for (const match of matches) {
    if (Array.isArray(match.parent)) continue
    if (!isPlainObject(match.parent) || match.parentProperty === null) {
      throw new SpecToolError(`${where}: the document root cannot be removed`)
    }
    delete match.parent[String(match.parentProperty)]
  }
}

function updateNode(node: object, update: unknown, where: string): void {
  if (Array.isArray(node)) {
    node.push(structuredClone(update))
    return
  }
  if (!isPlainObject(update))
    throw new SpecToolError(`${where}: the target is an object, so \`update\` must be a mapping`)
  mergeInto(node as JsonObject, update, where, '')
}

/**
 * Recursive merge: objects merge key by key, arrays are concatenated, primitives replace primitives, and any
 * other combination (an object over an array, a list over a string, ...) is an error rather than a guess.
 */
export function mergeInto(target: JsonObject, update: JsonObject, where: string, keyPath: string): void {
  for (const [key, value] of Object.entries(update)) {
    const at = keyPath === '' ? key : `${keyPath}.${key}`
    if (!Object.hasOwn(target, key)) {
      target[key] = structuredClone(value)
      continue
    }
    const current = target[key]
    if (isPlainObject(current) && isPlainObject(value)) mergeInto(current, value, where, at)
    else if (Array.isArray(current) && Array.isArray(value)) current.push(...structuredClone(value))
    else if (isPrimitive(current) && isPrimitive(value)) target[key] = value
    else throw new SpecToolError(`${where}: cannot merge ${kindOf(value)} into ${kindOf(current)} at ${at}`)
  }
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function')
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (isPlainObject(value)) return 'a mapping'
  return 'a scalar'
}
