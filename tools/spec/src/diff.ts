/**
 * Operation-level changelog between two OpenAPI 3 documents.
 *
 * "Breaking" means a client written against the old spec may fail against the new one: the server rejects a
 * request it used to accept, or the code no longer type-checks against the regenerated types. The rules:
 * - Operations: removed is breaking, added is not. A changed operationId is breaking (generated types are keyed by it).
 * - Parameters: removed, moved to another `in`, or made required is breaking; added is breaking only when required.
 * - Request body: removed, made required, or added as required is breaking; a removed media type is breaking.
 * - Responses: a removed 2xx status or a removed media type of a 2xx response is breaking; other removals are not.
 * - Security: any change of schemes or scopes is breaking (it changes which tokens are accepted).
 * - Schemas, wherever they appear (components, parameters, bodies, responses), with one rule for requests and
 *   responses alike: removing something a client may rely on is breaking (an enum value, a property, a oneOf/anyOf
 *   alternative, a component schema), adding it is not; a changed type or a different `$ref` target is breaking; a
 *   property newly listed in `required` is breaking, one dropped from `required` is not; any allOf member change is
 *   breaking. Schemas are compared without following `$ref`s when both sides are references (the referenced component
 *   is compared once, under its own name); a reference on one side only is resolved and compared structurally.
 */
import { openApiInfo } from './openapi.js'
import {
  compareStrings,
  HTTP_METHODS,
  type HttpMethod,
  isPlainObject,
  type JsonObject,
  listOperations,
  type OperationEntry,
  resolveLocalRef,
} from './util.js'

export type ChangeKind =
  | 'operation-added'
  | 'operation-removed'
  | 'operation-id-changed'
  | 'operation-deprecated'
  | 'parameter-added'
  | 'parameter-removed'
  | 'parameter-location-changed'
  | 'parameter-required-changed'
  | 'request-body-added'
  | 'request-body-removed'
  | 'request-body-required-changed'
  | 'media-type-added'
  | 'media-type-removed'
  | 'response-added'
  | 'response-removed'
  | 'security-changed'
  | 'schema-added'
  | 'schema-removed'
  | 'schema-ref-changed'
  | 'type-changed'
  | 'enum-value-added'
  | 'enum-value-removed'
  | 'enum-added'
  | 'enum-removed'
  | 'property-added'
  | 'property-removed'
  | 'required-added'
  | 'required-removed'
  | 'composition-member-added'
  | 'composition-member-removed'

export interface Change {
  kind: ChangeKind
  breaking: boolean
  /** Where in the operation or schema, e.g. `parameter query "limit"` or `response 200 application/json (user)`. */
  location: string
  message: string
}

export interface OperationRef {
  key: string
  method: HttpMethod
  path: string
  operationId: string | null
  breaking: boolean
}

export interface OperationDiff {
  key: string
  method: HttpMethod
  path: string
  operationId: string | null
  changes: Change[]
}

export interface SchemaRef {
  name: string
  breaking: boolean
}

export interface SchemaDiff {
  name: string
  changes: Change[]
}

export interface SpecDiff {
  from: { title: string | null; version: string }
  to: { title: string | null; version: string }
  summary: {
    operationsAdded: number
    operationsRemoved: number
    operationsChanged: number
    schemasAdded: number
    schemasRemoved: number
    schemasChanged: number
    breaking: number
    nonBreaking: number
  }
  operations: { added: OperationRef[]; removed: OperationRef[]; changed: OperationDiff[] }
  schemas: { added: SchemaRef[]; removed: SchemaRef[]; changed: SchemaDiff[] }
}

interface Context {
  oldDoc: JsonObject
  newDoc: JsonObject
}

const MAX_SCHEMA_DEPTH = 32

export function diffSpecs(oldDoc: JsonObject, newDoc: JsonObject): SpecDiff {
  const ctx: Context = { oldDoc, newDoc }
  const oldOps = operationMap(oldDoc)
  const newOps = operationMap(newDoc)

  const added: OperationRef[] = []
  const removed: OperationRef[] = []
  const changed: OperationDiff[] = []
  for (const key of sortedUnion(oldOps, newOps, operationOrder(oldOps, newOps))) {
    const before = oldOps.get(key)
    const after = newOps.get(key)
    if (!before && after) added.push(operationRef(key, after, false))
    else if (before && !after) removed.push(operationRef(key, before, true))
    else if (before && after) {
      const changes = compareOperations(ctx, before, after)
      if (changes.length > 0) changed.push({ ...operationIdentity(key, after), changes })
    }
  }

  const oldSchemas = componentSchemas(oldDoc)
  const newSchemas = componentSchemas(newDoc)
  const schemasAdded: SchemaRef[] = []
  const schemasRemoved: SchemaRef[] = []
  const schemasChanged: SchemaDiff[] = []
  for (const name of sortedUnion(oldSchemas, newSchemas)) {
    const inOld = oldSchemas.has(name)
    const inNew = newSchemas.has(name)
    if (!inOld) schemasAdded.push({ name, breaking: false })
    else if (!inNew) schemasRemoved.push({ name, breaking: true })
    else {
      const changes: Change[] = []
      compareSchema(ctx, oldSchemas.get(name), newSchemas.get(name), '', '', changes, 0)
      if (changes.length > 0) schemasChanged.push({ name, changes })
    }
  }

  const flags = [
    ...added.map((o) => o.breaking),
    ...removed.map((o) => o.breaking),
    ...changed.flatMap((o) => o.changes.map((c) => c.breaking)),
    ...schemasAdded.map((s) => s.breaking),
    ...schemasRemoved.map((s) => s.breaking),
    ...schemasChanged.flatMap((s) => s.changes.map((c) => c.breaking)),
  ]
  const breaking = flags.filter(Boolean).length
  const fromInfo = openApiInfo(oldDoc)
  const toInfo = openApiInfo(newDoc)
  return {
    from: { title: fromInfo.title ?? null, version: fromInfo.version },
    to: { title: toInfo.title ?? null, version: toInfo.version },
    summary: {
      operationsAdded: added.length,
      operationsRemoved: removed.length,
      operationsChanged: changed.length,
      schemasAdded: schemasAdded.length,
      schemasRemoved: schemasRemoved.length,
      schemasChanged: schemasChanged.length,
      breaking,
      nonBreaking: flags.length - breaking,
    },
    operations: { added, removed, changed },
    schemas: { added: schemasAdded, removed: schemasRemoved, changed: schemasChanged },
  }
}

function operationMap(doc: JsonObject): Map<string, OperationEntry> {
  const map = new Map<string, OperationEntry>()
  for (const entry of listOperations(doc)) map.set(`${entry.method.toUpperCase()} ${entry.path}`, entry)
  return map
}

/** Operations sort by path, then by the usual method order, so related operations stay together. */
function operationOrder(...maps: Map<string, OperationEntry>[]): (a: string, b: string) => number {
  const rank = (key: string): [string, number] => {
    for (const map of maps) {
      const entry = map.get(key)
      if (entry) return [entry.path, HTTP_METHODS.indexOf(entry.method)]
    }
    return [key, 0]
  }
  return (a, b) => {
    const [pa, ma] = rank(a)
    const [pb, mb] = rank(b)
    return compareStrings(pa, pb) || ma - mb
  }
}

function sortedUnion<K extends string>(
  a: Map<K, unknown>,
  b: Map<K, unknown>,
  order: (x: K, y: K) => number = compareStrings,
): K[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort(order)
}

function operationIdentity(key: string, entry: OperationEntry): Omit<OperationDiff, 'changes'> {
  const id = entry.operation.operationId
  return { key, method: entry.method, path: entry.path, operationId: typeof id === 'string' ? id : null }
}

function operationRef(key: string, entry: OperationEntry, breaking: boolean): OperationRef {
  return { ...operationIdentity(key, entry), breaking }
}

function componentSchemas(doc: JsonObject): Map<string, unknown> {
  const schemas = isPlainObject(doc.components) && isPlainObject(doc.components.schemas) ? doc.components.schemas : {}
  return new Map(Object.entries(schemas))
}

function change(kind: ChangeKind, breaking: boolean, location: string, what: string): Change {
  return { kind, breaking, location, message: location ? `${location}: ${what}` : what }
}

function compareOperations(ctx: Context, before: OperationEntry, after: OperationEntry): Change[] {
  const out: Change[] = []
  const oldId = before.operation.operationId
  const newId = after.operation.operationId
  if (typeof oldId === 'string' && typeof newId === 'string' && oldId !== newId) {
    out.push(change('operation-id-changed', true, '', `operationId ${oldId} → ${newId}`))
  }
  if (before.operation.deprecated !== true && after.operation.deprecated === true) {
    out.push(change('operation-deprecated', false, '', 'operation deprecated'))
  }
  compareParameters(ctx, effectiveParameters(ctx.oldDoc, before), effectiveParameters(ctx.newDoc, after), out)
  compareRequestBodies(ctx, before.operation.requestBody, after.operation.requestBody, out)
  compareResponses(ctx, before.operation.responses, after.operation.responses, out)
  compareSecurity(ctx, before, after, out)
  return out
}

interface Parameter {
  name: string
  in: string
  required: boolean
  schema: unknown
}

/** Path-level parameters apply to every operation of the path; an operation's own parameter overrides one with the same name and location. */
function effectiveParameters(doc: JsonObject, entry: OperationEntry): Parameter[] {
  const byKey = new Map<string, Parameter>()
  for (const list of [entry.pathItem.parameters, entry.operation.parameters]) {
    if (!Array.isArray(list)) continue
    for (const raw of list) {
      const param = deref(doc, raw)
      if (!isPlainObject(param) || typeof param.name !== 'string' || typeof param.in !== 'string') continue
      byKey.set(`${param.in}:${param.name}`, {
        name: param.name,
        in: param.in,
        required: param.required === true || param.in === 'path',
        schema: param.schema,
      })
    }
  }
  return [...byKey.values()]
}

function compareParameters(ctx: Context, before: Parameter[], after: Parameter[], out: Change[]): void {
  const names = [...new Set([...before, ...after].map((p) => p.name))].sort(compareStrings)
  for (const name of names) {
    const olds = before.filter((p) => p.name === name)
    const news = after.filter((p) => p.name === name)
    // One parameter of that name on each side: a different `in` is a move, not a removal plus an addition.
    if (olds.length === 1 && news.length === 1 && olds[0] && news[0]) {
      compareParameter(ctx, olds[0], news[0], out)
      continue
    }
    for (const old of olds) {
      const match = news.find((p) => p.in === old.in)
      if (match) compareParameter(ctx, old, match, out)
      else out.push(change('parameter-removed', true, paramLabel(old), 'removed'))
    }
    for (const added of news) {
      if (olds.some((p) => p.in === added.in)) continue
      out.push(addedParameter(added))
    }
  }
}

function addedParameter(param: Parameter): Change {
  return change(
    'parameter-added',
    param.required,
    paramLabel(param),
    `added (${param.required ? 'required' : 'optional'})`,
  )
}

function paramLabel(param: Parameter): string {
  return `parameter ${param.in} "${param.name}"`
}

function compareParameter(ctx: Context, before: Parameter, after: Parameter, out: Change[]): void {
  const label = paramLabel(after)
  if (before.in !== after.in) {
    out.push(change('parameter-location-changed', true, label, `moved from ${before.in} to ${after.in}`))
  }
  if (before.required !== after.required) {
    out.push(
      change(
        'parameter-required-changed',
        after.required,
        label,
        after.required ? 'optional → required' : 'required → optional',
      ),
    )
  }
  compareSchema(ctx, before.schema, after.schema, label, '', out, 0)
}

function compareRequestBodies(ctx: Context, rawBefore: unknown, rawAfter: unknown, out: Change[]): void {
  const before = deref(ctx.oldDoc, rawBefore)
  const after = deref(ctx.newDoc, rawAfter)
  const label = 'request body'
  if (!isPlainObject(before) && !isPlainObject(after)) return
  if (!isPlainObject(before) && isPlainObject(after)) {
    const required = after.required === true
    out.push(change('request-body-added', required, label, `added (${required ? 'required' : 'optional'})`))
    return
  }
  if (isPlainObject(before) && !isPlainObject(after)) {
    out.push(change('request-body-removed', true, label, 'removed'))
    return
  }
  if (!isPlainObject(before) || !isPlainObject(after)) return
  const wasRequired = before.required === true
  const isRequired = after.required === true
  if (wasRequired !== isRequired) {
    out.push(
      change(
        'request-body-required-changed',
        isRequired,
        label,
        isRequired ? 'optional → required' : 'required → optional',
      ),
    )
  }
  compareContent(ctx, before.content, after.content, label, true, out)
}

function compareContent(
  ctx: Context,
  rawBefore: unknown,
  rawAfter: unknown,
  label: string,
  removalBreaks: boolean,
  out: Change[],
): void {
  const before = new Map(Object.entries(isPlainObject(rawBefore) ? rawBefore : {}))
  const after = new Map(Object.entries(isPlainObject(rawAfter) ? rawAfter : {}))
  for (const mediaType of sortedUnion(before, after)) {
    const old = before.get(mediaType)
    const now = after.get(mediaType)
    if (old === undefined) out.push(change('media-type-added', false, label, `media type ${mediaType} added`))
    else if (now === undefined) {
      out.push(change('media-type-removed', removalBreaks, label, `media type ${mediaType} removed`))
    } else {
      const oldSchema = isPlainObject(old) ? old.schema : undefined
      const newSchema = isPlainObject(now) ? now.schema : undefined
      compareSchema(ctx, oldSchema, newSchema, `${label} ${mediaType}`, '', out, 0)
    }
  }
}

function isSuccessStatus(status: string): boolean {
  return /^2/.test(status)
}

function compareResponses(ctx: Context, rawBefore: unknown, rawAfter: unknown, out: Change[]): void {
  const before = new Map(Object.entries(isPlainObject(rawBefore) ? rawBefore : {}))
  const after = new Map(Object.entries(isPlainObject(rawAfter) ? rawAfter : {}))
  for (const status of sortedUnion(before, after)) {
    const label = `response ${status}`
    const old = before.get(status)
    const now = after.get(status)
    if (old === undefined) out.push(change('response-added', false, label, 'added'))
    else if (now === undefined) out.push(change('response-removed', isSuccessStatus(status), label, 'removed'))
    else {
      const oldResponse = deref(ctx.oldDoc, old)
      const newResponse = deref(ctx.newDoc, now)
      compareContent(
        ctx,
        isPlainObject(oldResponse) ? oldResponse.content : undefined,
        isPlainObject(newResponse) ? newResponse.content : undefined,
        label,
        isSuccessStatus(status),
        out,
      )
    }
  }
}

function compareSecurity(ctx: Context, before: OperationEntry, after: OperationEntry, out: Change[]): void {
  const oldReqs = securityRequirements(before.operation.security ?? ctx.oldDoc.security)
  const newReqs = securityRequirements(after.operation.security ?? ctx.newDoc.security)
  if (oldReqs === newReqs) return
  out.push(change('security-changed', true, 'security', `${oldReqs} → ${newReqs}`))
}

/** A canonical text form: alternatives joined by `|`, schemes of one alternative by `+`, scopes sorted. */
function securityRequirements(raw: unknown): string {
  if (!Array.isArray(raw)) return 'none'
  const alternatives = raw.filter(isPlainObject).map((requirement) =>
    Object.entries(requirement)
      .map(([scheme, scopes]) => {
        const list = Array.isArray(scopes) ? scopes.map(String).sort(compareStrings) : []
        return list.length > 0 ? `${scheme}[${list.join(' ')}]` : scheme
      })
      .sort(compareStrings)
      .join(' + '),
  )
  if (alternatives.length === 0) return 'none'
  return alternatives
    .map((a) => (a === '' ? 'anonymous' : a))
    .sort(compareStrings)
    .join(' | ')
}

function deref(doc: JsonObject, value: unknown): unknown {
  // Chains of references are rare but legal; the bound stops a reference cycle.
  let node = value
  for (let i = 0; i < 8 && isPlainObject(node) && typeof node.$ref === 'string'; i++) {
    node = resolveLocalRef(doc, node.$ref)
  }
  return node
}

function refOf(schema: unknown): string | undefined {
  return isPlainObject(schema) && typeof schema.$ref === 'string' ? schema.$ref : undefined
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1)
}

function schemaType(schema: JsonObject): string | undefined {
  if (typeof schema.type === 'string') return schema.type
  if (isPlainObject(schema.properties)) return 'object'
  if (schema.items !== undefined) return 'array'
  return undefined
}

function where(base: string, path: string): string {
  if (base && path) return `${base} (${path})`
  return base || path
}

function compareSchema(
  ctx: Context,
  rawBefore: unknown,
  rawAfter: unknown,
  base: string,
  path: string,
  out: Change[],
  depth: number,
): void {
  if (depth > MAX_SCHEMA_DEPTH || rawBefore === undefined || rawAfter === undefined) return
  const location = where(base, path)
  const oldRef = refOf(rawBefore)
  const newRef = refOf(rawAfter)
  if (oldRef && newRef) {
    if (oldRef !== newRef) {
      out.push(change('schema-ref-changed', true, location, `schema ${refName(oldRef)} → ${refName(newRef)}`))
    }
    return
  }
  const before = oldRef ? deref(ctx.oldDoc, rawBefore) : rawBefore
  const after = newRef ? deref(ctx.newDoc, rawAfter) : rawAfter
  if (!isPlainObject(before) || !isPlainObject(after)) return
  const next = (b: unknown, a: unknown, childPath: string): void =>
    compareSchema(ctx, b, a, base, childPath, out, depth + 1)

  const oldType = schemaType(before)
  const newType = schemaType(after)
  if (oldType && newType && oldType !== newType) {
    out.push(change('type-changed', true, location, `type ${oldType} → ${newType}`))
    return
  }

  compareEnums(before.enum, after.enum, location, out)

  const oldProps = isPlainObject(before.properties) ? before.properties : {}
  const newProps = isPlainObject(after.properties) ? after.properties : {}
  for (const name of [...new Set([...Object.keys(oldProps), ...Object.keys(newProps)])].sort(compareStrings)) {
    if (!Object.hasOwn(oldProps, name)) out.push(change('property-added', false, location, `property "${name}" added`))
    else if (!Object.hasOwn(newProps, name)) {
      out.push(change('property-removed', true, location, `property "${name}" removed`))
    } else next(oldProps[name], newProps[name], path ? `${path}.${name}` : name)
  }

  const oldRequired = new Set(Array.isArray(before.required) ? before.required.map(String) : [])
  const newRequired = new Set(Array.isArray(after.required) ? after.required.map(String) : [])
  for (const name of [...newRequired].filter((n) => !oldRequired.has(n)).sort(compareStrings)) {
    out.push(change('required-added', true, location, `"${name}" is now required`))
  }
  for (const name of [...oldRequired].filter((n) => !newRequired.has(n)).sort(compareStrings)) {
    out.push(change('required-removed', false, location, `"${name}" is no longer required`))
  }

  next(before.items, after.items, path ? `${path}[]` : 'items')
  if (isPlainObject(before.additionalProperties) && isPlainObject(after.additionalProperties)) {
    next(before.additionalProperties, after.additionalProperties, path ? `${path}{}` : 'additionalProperties')
  }

  for (const keyword of ['allOf', 'oneOf', 'anyOf'] as const) {
    compareComposition(before[keyword], after[keyword], keyword, location, out, (b, a, i) =>
      next(b, a, `${path}${path ? '.' : ''}${keyword}[${i}]`),
    )
  }
}

function compareEnums(rawBefore: unknown, rawAfter: unknown, location: string, out: Change[]): void {
  const hadEnum = Array.isArray(rawBefore)
  const hasEnum = Array.isArray(rawAfter)
  if (!hadEnum && !hasEnum) return
  if (!hadEnum) {
    out.push(change('enum-added', true, location, `now restricted to ${(rawAfter as unknown[]).map(show).join(', ')}`))
    return
  }
  if (!hasEnum) {
    out.push(change('enum-removed', false, location, 'no longer restricted to a list of values'))
    return
  }
  const before = new Map((rawBefore as unknown[]).map((v) => [JSON.stringify(v), v]))
  const after = new Map((rawAfter as unknown[]).map((v) => [JSON.stringify(v), v]))
  for (const [key, value] of before) {
    if (!after.has(key)) out.push(change('enum-value-removed', true, location, `enum value ${show(value)} removed`))
  }
  for (const [key, value] of after) {
    if (!before.has(key)) out.push(change('enum-value-added', false, location, `enum value ${show(value)} added`))
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value)
}

function compareComposition(
  rawBefore: unknown,
  rawAfter: unknown,
  keyword: 'allOf' | 'oneOf' | 'anyOf',
  location: string,
  out: Change[],
  compareInline: (before: unknown, after: unknown, index: number) => void,
): void {
  const before = Array.isArray(rawBefore) ? rawBefore : []
  const after = Array.isArray(rawAfter) ? rawAfter : []
  if (before.length === 0 && after.length === 0) return
  const oldRefs = new Set(before.map(refOf).filter((r): r is string => r !== undefined))
  const newRefs = new Set(after.map(refOf).filter((r): r is string => r !== undefined))
  // Any allOf change alters the combined shape; for oneOf/anyOf only a lost alternative can break a client.
  const removalBreaks = true
  const additionBreaks = keyword === 'allOf'
  for (const ref of [...oldRefs].filter((r) => !newRefs.has(r)).sort(compareStrings)) {
    out.push(change('composition-member-removed', removalBreaks, location, `${keyword} member ${refName(ref)} removed`))
  }
  for (const ref of [...newRefs].filter((r) => !oldRefs.has(r)).sort(compareStrings)) {
    out.push(change('composition-member-added', additionBreaks, location, `${keyword} member ${refName(ref)} added`))
  }
  // Inline members have no name: pair them by position among the inline ones.
  const oldInline = before.filter((s) => refOf(s) === undefined)
  const newInline = after.filter((s) => refOf(s) === undefined)
  const paired = Math.min(oldInline.length, newInline.length)
  for (let i = 0; i < paired; i++) compareInline(oldInline[i], newInline[i], i)
  for (let i = paired; i < oldInline.length; i++) {
    out.push(change('composition-member-removed', removalBreaks, location, `${keyword} inline member ${i + 1} removed`))
  }
  for (let i = paired; i < newInline.length; i++) {
    out.push(change('composition-member-added', additionBreaks, location, `${keyword} inline member ${i + 1} added`))
  }
}

function mark(breaking: boolean): string {
  return breaking ? 'BREAKING    ' : 'non-breaking'
}

function opTitle(op: { key: string; operationId: string | null }): string {
  return op.operationId ? `${op.key} (${op.operationId})` : op.key
}

/** Human-readable changelog: a header with versions and counts, then one marked line per change. */
export function formatDiffText(diff: SpecDiff): string {
  const s = diff.summary
  const lines: string[] = [
    `${diff.to.title ?? diff.from.title ?? 'API'} ${diff.from.version} → ${diff.to.version}`,
    `operations: ${s.operationsAdded} added, ${s.operationsRemoved} removed, ${s.operationsChanged} changed; ` +
      `schemas: ${s.schemasAdded} added, ${s.schemasRemoved} removed, ${s.schemasChanged} changed; ` +
      `${s.breaking} breaking, ${s.nonBreaking} non-breaking`,
  ]
  const section = (title: string, count: number, body: () => void): void => {
    lines.push('', `${title} (${count})`)
    if (count === 0) lines.push('  none')
    else body()
  }
  section('Operations added', diff.operations.added.length, () => {
    for (const op of diff.operations.added) lines.push(`  ${mark(op.breaking)}  ${opTitle(op)}`)
  })
  section('Operations removed', diff.operations.removed.length, () => {
    for (const op of diff.operations.removed) lines.push(`  ${mark(op.breaking)}  ${opTitle(op)}`)
  })
  section('Operations changed', diff.operations.changed.length, () => {
    for (const op of diff.operations.changed) {
      lines.push(`  ${opTitle(op)}`)
      for (const c of op.changes) lines.push(`    ${mark(c.breaking)}  ${c.message}`)
    }
  })
  section('Schemas added', diff.schemas.added.length, () => {
    for (const schema of diff.schemas.added) lines.push(`  ${mark(schema.breaking)}  ${schema.name}`)
  })
  section('Schemas removed', diff.schemas.removed.length, () => {
    for (const schema of diff.schemas.removed) lines.push(`  ${mark(schema.breaking)}  ${schema.name}`)
  })
  section('Schemas changed', diff.schemas.changed.length, () => {
    for (const schema of diff.schemas.changed) {
      lines.push(`  ${schema.name}`)
      for (const c of schema.changes) lines.push(`    ${mark(c.breaking)}  ${c.message}`)
    }
  })
  return `${lines.join('\n')}\n`
}

/** JSON with a fixed key order (the order the diff objects are built in) and a trailing newline. */
export function formatDiffJson(diff: SpecDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`
}
