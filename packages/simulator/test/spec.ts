import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

type Schema = Record<string, unknown>

interface Operation {
  responses?: Record<string, Schema>
}

/** The resolved spec the build produces; FLAT_OPENAPI_SPEC (a file) when it is not there. */
function loadSpec(): { paths: Record<string, Record<string, Operation>>; components: Schema } {
  const resolved = fileURLToPath(new URL('../../../openapi/flat-api.yaml', import.meta.url))
  const fallback = process.env.FLAT_OPENAPI_SPEC
  const path = existsSync(resolved) ? resolved : fallback && existsSync(fallback) ? fallback : undefined
  if (!path) throw new Error(`No OpenAPI spec at ${resolved}: build it first (npm run spec:sync)`)
  return parse(readFileSync(path, 'utf8'))
}

const spec = loadSpec()

const templates = Object.keys(spec.paths).map((template) => {
  const literal = template.split('/').filter((part) => !part.startsWith('{')).length
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')
  return { template, literal, pattern: new RegExp(`^${source}$`) }
})
// Literal segments win over parameters, as a router matches them.
templates.sort((a, b) => b.literal - a.literal)

export function templateOf(pathname: string): string | undefined {
  const path = pathname.replace(/^\/v2/, '')
  return templates.find((candidate) => candidate.pattern.test(path))?.template
}

function deref<T>(node: T): T {
  let current = node as Schema
  while (typeof current?.$ref === 'string') {
    const parts = (current.$ref as string).replace(/^#\//, '').split('/')
    let target: unknown = spec
    for (const part of parts) target = (target as Schema)[part]
    current = target as Schema
  }
  return current as T
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** JSON Schema (OpenAPI 3.0 flavour) check of the parts the spec uses; returns the problems found. */
export function check(schemaNode: Schema, value: unknown, at = '$'): string[] {
  const schema = deref(schemaNode)
  const problems: string[] = []
  if (value === null && schema.nullable === true) return problems
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf as Schema[]) problems.push(...check(part, value, at))
  if (Array.isArray(schema.oneOf)) {
    const matches = (schema.oneOf as Schema[]).filter((part) => check(part, value, at).length === 0).length
    if (matches !== 1) problems.push(`${at}: matches ${matches} of the oneOf schemas`)
  }
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some((part) => check(part, value, at).length === 0)) {
    problems.push(`${at}: matches none of the anyOf schemas`)
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`)
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${at}: expected an object`)
        break
      }
      const record = value as Record<string, unknown>
      for (const name of (schema.required as string[] | undefined) ?? []) {
        if (!(name in record)) problems.push(`${at}.${name}: required`)
      }
      const properties = (schema.properties ?? {}) as Record<string, Schema>
      for (const [name, child] of Object.entries(record)) {
        const property = properties[name]
        if (property) problems.push(...check(property, child, `${at}.${name}`))
        else if (schema.additionalProperties === false) problems.push(`${at}.${name}: not allowed`)
      }
      break
    }
    case 'array':
      if (!Array.isArray(value)) problems.push(`${at}: expected an array`)
      else
        for (const [index, item] of value.entries())
          problems.push(...check(schema.items as Schema, item, `${at}[${index}]`))
      break
    case 'string':
      if (typeof value !== 'string') problems.push(`${at}: expected a string, got ${JSON.stringify(value)}`)
      else {
        if (schema.format === 'date-time' && !DATE_TIME.test(value)) problems.push(`${at}: not a date-time: ${value}`)
        if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
          problems.push(`${at}: does not match ${schema.pattern}`)
        }
        if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`${at}: too long`)
        if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`${at}: too short`)
      }
      break
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) {
        problems.push(`${at}: expected ${schema.type}, got ${JSON.stringify(value)}`)
      } else {
        if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below minimum`)
        if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above maximum`)
      }
      break
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean`)
      break
  }
  return problems
}

/**
 * What is wrong with a response against the operation's declared responses: status, media type and JSON body.
 * Redirects are left out: the spec describes none (revision data redirects in practice).
 */
export function responseProblems(
  method: string,
  pathname: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string[] {
  if (status >= 300 && status < 400) return []
  const template = templateOf(pathname)
  if (!template) return [`${pathname} is no operation of the spec`]
  const operation = spec.paths[template]?.[method.toLowerCase()]
  if (!operation?.responses) return [`${method} ${template} is not in the spec`]
  const declared = operation.responses[String(status)] ?? operation.responses.default
  if (!declared) return [`${method} ${template} declares no ${status} response`]
  const content = deref(declared).content as Record<string, { schema?: Schema }> | undefined
  if (!content) return body === undefined ? [] : [`${method} ${template} ${status} declares no body`]
  const mediaType = contentType?.split(';')[0]?.trim() ?? ''
  const media = content[mediaType]
  if (!media) return [`${method} ${template} ${status}: ${mediaType || 'no content type'} is not declared`]
  if (!mediaType.includes('json') || !media.schema || deref(media.schema).format === 'binary') return []
  return check(media.schema, body).map((problem) => `${method} ${template} ${status} ${problem}`)
}

/** A component schema by name, for direct checks. */
export function schema(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` }
}
