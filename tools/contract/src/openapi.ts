/**
 * A small, read-only view of an OpenAPI 3.0 document: local `$ref` resolution and a flat list of operations with
 * their path-level and operation-level parameters merged.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export type JsonObject = { [key: string]: unknown }

export interface Schema {
  $ref?: string
  type?: string
  format?: string
  enum?: unknown[]
  const?: unknown
  example?: unknown
  default?: unknown
  nullable?: boolean
  readOnly?: boolean
  writeOnly?: boolean
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  allOf?: Schema[]
  oneOf?: Schema[]
  anyOf?: Schema[]
  discriminator?: { propertyName: string; mapping?: Record<string, string> }
  minimum?: number
  maximum?: number
  exclusiveMinimum?: boolean | number
  exclusiveMaximum?: boolean | number
  minLength?: number
  maxLength?: number
  minItems?: number
  pattern?: string
  description?: string
  [key: `x-${string}`]: unknown
}

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  description?: string
  schema?: Schema
  example?: unknown
  examples?: Record<string, { value?: unknown }>
  [key: `x-${string}`]: unknown
}

export interface MediaType {
  schema?: Schema
  example?: unknown
  examples?: Record<string, { value?: unknown }>
}

export interface RequestBody {
  required?: boolean
  description?: string
  content?: Record<string, MediaType>
  [key: `x-${string}`]: unknown
}

export interface Header {
  description?: string
  required?: boolean
  schema?: Schema
}

export interface Response {
  description?: string
  headers?: Record<string, Header | { $ref: string }>
  content?: Record<string, MediaType>
  [key: `x-${string}`]: unknown
}

export interface Operation {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: (Parameter | { $ref: string })[]
  requestBody?: RequestBody | { $ref: string }
  responses?: Record<string, Response | { $ref: string }>
  security?: Record<string, string[]>[]
  [key: `x-${string}`]: unknown
}

export interface OpenApiDocument {
  openapi: string
  info: { title?: string; version: string }
  servers?: { url: string }[]
  paths: Record<string, Record<string, unknown>>
  components?: {
    schemas?: Record<string, Schema>
    parameters?: Record<string, Parameter>
    requestBodies?: Record<string, RequestBody>
    responses?: Record<string, Response>
    headers?: Record<string, Header>
    securitySchemes?: Record<string, unknown>
  }
  security?: Record<string, string[]>[]
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** One operation, its parameters merged (operation-level wins over path-level, by name and location). */
export interface OperationEntry {
  method: HttpMethod
  path: string
  operationId: string
  operation: Operation
  parameters: Parameter[]
  requestBody: RequestBody | undefined
  /** Response objects by status code (`default` included), `$ref`s resolved. */
  responses: Record<string, Response>
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Where the spec task writes the resolved spec. */
export const RESOLVED_SPEC_PATH = resolve(repoRoot, 'openapi/flat-api.yaml')

export function loadSpec(path: string = RESOLVED_SPEC_PATH): OpenApiDocument {
  let source: string
  try {
    source = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new Error(`cannot read the resolved spec at ${path}: run the spec task first (npm run spec:sync)`, { cause })
  }
  return parse(source) as OpenApiDocument
}

export function isRef(value: unknown): value is { $ref: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string'
}

/** Follows a local `#/...` pointer; throws for anything else, since the resolved spec has only local ones. */
export function resolvePointer(spec: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref are supported, got ${ref}`)
  let node: unknown = spec
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof node !== 'object' || node === null || !(key in node)) throw new Error(`dangling $ref ${ref}`)
    node = (node as JsonObject)[key]
  }
  return node
}

/** Resolves a chain of `$ref`s down to the object they name. */
export function deref<T>(spec: OpenApiDocument, value: T | { $ref: string }): T {
  let current: unknown = value
  for (let hops = 0; isRef(current); hops++) {
    if (hops > 32) throw new Error(`$ref chain too long at ${current.$ref}`)
    current = resolvePointer(spec, current.$ref)
  }
  return current as T
}

/** The component name a `#/components/schemas/Name` pointer ends in. */
export function schemaRefName(ref: string): string | undefined {
  return /^#\/components\/schemas\/([^/]+)$/.exec(ref)?.[1]
}

export function listOperations(spec: OpenApiDocument): OperationEntry[] {
  const entries: OperationEntry[] = []
  for (const [path, item] of Object.entries(spec.paths)) {
    const shared = ((item.parameters ?? []) as (Parameter | { $ref: string })[]).map((p) => deref<Parameter>(spec, p))
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Operation | undefined
      if (!operation) continue
      const own = (operation.parameters ?? []).map((p) => deref<Parameter>(spec, p))
      const key = (p: Parameter): string => `${p.in}:${p.name}`
      const ownKeys = new Set(own.map(key))
      const parameters = [...shared.filter((p) => !ownKeys.has(key(p))), ...own]
      const responses: Record<string, Response> = {}
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        responses[status] = deref<Response>(spec, response)
      }
      entries.push({
        method,
        path,
        operationId: operation.operationId ?? `${method} ${path}`,
        operation,
        parameters,
        requestBody: operation.requestBody ? deref<RequestBody>(spec, operation.requestBody) : undefined,
        responses,
      })
    }
  }
  return entries
}

/** Whether `status` is one the operation documents: an explicit code, a `2XX`-style range, or `default`. */
export function documentsStatus(entry: OperationEntry, status: number): boolean {
  const codes = Object.keys(entry.responses)
  if (codes.includes(String(status))) return true
  if (codes.some((code) => /^[1-5]XX$/i.test(code) && code[0] === String(status)[0])) return true
  return codes.includes('default')
}

/** The success codes an operation documents, lowest first. */
export function successCodes(entry: OperationEntry): number[] {
  return Object.keys(entry.responses)
    .filter((code) => /^2\d\d$/.test(code))
    .map(Number)
    .sort((a, b) => a - b)
}
