/**
 * Adds TypeScript renderings to a copy of the spec as `x-ts-*` vendor extensions, which openapi-generator passes
 * to the templates as `vendorExtensions`:
 * - operation: `x-ts-example` (Markdown with fenced examples), `x-ts-returns` (linked return type);
 * - parameter and request body: `x-ts-type` (linked type for the parameters table);
 * - schema property: `x-ts-type`; inline object: `x-ts-snippet` (how to name it in TypeScript);
 * - component schema: `x-ts-snippet` (its import) and, when it is not a plain object, `x-ts-type`.
 */
import {
  deref,
  type JsonObject,
  listOperations,
  type OpenApiDocument,
  type OperationEntry,
  type Parameter,
  type RequestBody,
  type Schema,
  successCodes,
} from '../../contract/src/openapi.js'
import { exampleMarkdown } from './snippets.js'
import { typeMarkdown } from './ts-types.js'

const RAW = '@flat-api/raw'

/** A PascalCase TypeScript name for an inline object reached by `segments`, e.g. `TaskProgress`. */
function aliasName(segments: readonly string[]): string {
  return segments
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('')
}

function inlineSnippet(root: string, expression: string, segments: readonly string[]): string {
  return [`import type { ${root} } from '${RAW}'`, '', `type ${aliasName(segments)} = ${expression}`].join('\n')
}

interface Walk {
  spec: OpenApiDocument
  /** The exported type the expression starts from: a component name or `operations`. */
  root: string
  /** A TypeScript expression for the current schema, or undefined where it cannot be named (inside a union). */
  expression: string | undefined
  segments: string[]
}

/** Annotates the properties of `schema` (and of its allOf parts, which share the parent's type) in place. */
function annotateSchema(schema: Schema, walk: Walk): void {
  if (schema.$ref) return
  for (const part of schema.allOf ?? []) annotateSchema(part, walk)
  for (const part of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) {
    annotateSchema(part, { ...walk, expression: undefined })
  }
  if (schema.items) {
    const expression = walk.expression && `NonNullable<${walk.expression}>[number]`
    annotateNested(schema.items, { ...walk, expression, segments: [...walk.segments, 'item'] })
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const type = typeMarkdown(walk.spec, property)
    if (type !== undefined) property['x-ts-type'] = type
    const expression = walk.expression && `NonNullable<${walk.expression}['${name}']>`
    annotateNested(property, { ...walk, expression, segments: [...walk.segments, name] })
  }
}

/** A schema below a component: an inline object becomes its own page, so it learns its TypeScript name. */
function annotateNested(schema: Schema, walk: Walk): void {
  if (schema.$ref) return
  const isInlineObject = Boolean(schema.properties) && !schema.enum
  if (isInlineObject && walk.expression) {
    schema['x-ts-snippet'] = inlineSnippet(walk.root, walk.expression, walk.segments)
  }
  // The generator gives an inline union a page too; it lists the variants, as a component union's page does.
  if (schema.oneOf || schema.anyOf) {
    schema['x-ts-union'] = true
    const type = typeMarkdown(walk.spec, schema)
    if (type !== undefined) schema['x-ts-type'] = type
  }
  annotateSchema(schema, walk)
}

function annotateComponents(spec: OpenApiDocument): void {
  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
    schema['x-ts-snippet'] = `import type { ${name} } from '${RAW}'`
    const isPlainObject = (schema.type === 'object' || schema.properties) && !schema.allOf && !schema.oneOf
    // A union's properties differ by variant: its page lists the variants, not a merged property table.
    if (schema.oneOf || schema.anyOf) schema['x-ts-union'] = true
    if (!isPlainObject) {
      // Render the component's own shape, not a link to itself.
      const { $ref: _, ...own } = schema
      const type = typeMarkdown(spec, own)
      if (type !== undefined) schema['x-ts-type'] = type
    }
    annotateSchema(schema, { spec, root: name, expression: name, segments: [name] })
  }
}

/** The return types of the success responses: `[Task](Task.md)`, or one line per status when there are several. */
function returnsMarkdown(spec: OpenApiDocument, entry: OperationEntry): string | undefined {
  const lines: string[] = []
  const codes = successCodes(entry)
  for (const code of codes) {
    const content = entry.responses[String(code)]?.content
    const media = Object.entries(content ?? {})
    let type: string | undefined
    if (media.length === 0) type = '`undefined` (no body)'
    else {
      const json = media.find(([mediaType]) => mediaType.includes('json'))
      if (json && media.length === 1) type = json[1].schema ? typeMarkdown(spec, json[1].schema) : undefined
      else type = `\`ArrayBuffer\` (${media.map(([mediaType]) => `\`${mediaType}\``).join(', ')})`
    }
    if (type === undefined) return undefined
    lines.push(codes.length > 1 ? `- **${code}**: ${type}` : type)
  }
  return lines.length > 0 ? lines.join('\n') : undefined
}

function annotateOperation(spec: OpenApiDocument, entry: OperationEntry, available: ReadonlySet<string>): void {
  const { operation } = entry
  operation['x-ts-example'] = exampleMarkdown(spec, entry, available)
  const returns = returnsMarkdown(spec, entry)
  if (returns !== undefined) operation['x-ts-returns'] = returns

  // Parameters may be shared (path level, components): annotating the object itself reaches every user of it.
  const item = spec.paths[entry.path] as JsonObject
  const declared = [...((item.parameters as unknown[]) ?? []), ...(operation.parameters ?? [])]
  for (const reference of declared) {
    const parameter = deref<Parameter>(spec, reference as Parameter)
    const type = parameter.schema ? typeMarkdown(spec, parameter.schema) : undefined
    if (type !== undefined) parameter['x-ts-type'] = type
  }

  if (operation.requestBody) {
    const body = deref<RequestBody>(spec, operation.requestBody)
    const media = Object.entries(body.content ?? {})
    const json = media.find(([type]) => type.includes('json')) ?? media[0]
    const schema = json?.[1].schema
    const type = schema ? typeMarkdown(spec, schema) : undefined
    if (type !== undefined) body['x-ts-type'] = type
    if (schema && !schema.$ref && json) {
      const expression = `NonNullable<operations['${entry.operationId}']['requestBody']>['content']['${json[0]}']`
      annotateNested(schema, { spec, root: 'operations', expression, segments: [entry.operationId, 'request'] })
    }
  }
  for (const code of successCodes(entry)) {
    for (const [mediaType, media] of Object.entries(entry.responses[String(code)]?.content ?? {})) {
      if (!media.schema || media.schema.$ref) continue
      const expression = `operations['${entry.operationId}']['responses'][${code}]['content']['${mediaType}']`
      annotateNested(media.schema, {
        spec,
        root: 'operations',
        expression,
        segments: [entry.operationId, String(code), 'response'],
      })
    }
  }
}

/** A deep copy of `spec` with the `x-ts-*` extensions the templates read. */
export function annotateSpec(source: OpenApiDocument, availableHelpers: ReadonlySet<string>): OpenApiDocument {
  const spec = structuredClone(source)
  annotateComponents(spec)
  for (const entry of listOperations(spec)) annotateOperation(spec, entry, availableHelpers)
  return spec
}
