/**
 * Builds a value that satisfies a JSON schema from the spec: the schema's own example where it has one, else the
 * smallest value its constraints allow (required properties only, first enum value, well-formed strings for
 * formats). Used to call every operation of a mock, and to write the reference docs' examples.
 */
import { isRef, type OpenApiDocument, type Parameter, resolvePointer, type Schema, schemaRefName } from './openapi.js'

export interface ExampleOptions {
  /**
   * Which `example` / `default` values of the spec to use: all of them, only those of strings, numbers and
   * booleans (so objects stay minimal), or none. Default `all`.
   */
  specExamples?: 'all' | 'primitives' | 'none'
  /** Value for a free-form string with no example, enum or format; receives the property or parameter name. */
  placeholder?: (name: string) => string
}

/** Strings that satisfy each format Flat's spec uses, and the common others. */
const FORMAT_VALUES: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00.000Z',
  date: '2024-01-01',
  time: '00:00:00',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
  uuid: '00000000-0000-4000-8000-000000000000',
  byte: 'AA==',
  binary: '',
  password: 'password',
}

const defaultPlaceholder = (name: string): string => `test-${name.replace(/[^A-Za-z0-9]+/g, '-') || 'value'}`

class Builder {
  private readonly stack: string[] = []
  private readonly specExamples: NonNullable<ExampleOptions['specExamples']>
  private readonly placeholder: (name: string) => string

  constructor(
    private readonly spec: OpenApiDocument,
    options: ExampleOptions,
  ) {
    this.specExamples = options.specExamples ?? 'all'
    this.placeholder = options.placeholder ?? defaultPlaceholder
  }

  build(input: Schema, name: string): unknown {
    if (isRef(input)) {
      // A recursive schema stops at its second visit; the caller leaves optional recursion out anyway.
      if (this.stack.includes(input.$ref)) return undefined
      this.stack.push(input.$ref)
      try {
        return this.build(resolvePointer(this.spec, input.$ref) as Schema, name)
      } finally {
        this.stack.pop()
      }
    }
    const schema = input
    const given = schema.example !== undefined ? schema.example : schema.default
    if (given !== undefined && this.acceptsExample(given)) return structuredClone(given)
    if (schema.const !== undefined) return schema.const
    if (schema.enum && schema.enum.length > 0) return schema.enum.find((value) => value !== null) ?? schema.enum[0]
    if (schema.allOf) return this.allOf(schema, name)
    const choices = schema.oneOf ?? schema.anyOf
    if (choices && choices.length > 0) return this.oneOf(schema, choices, name)
    switch (schema.type) {
      case 'object':
        return this.object(schema)
      case 'array':
        return this.array(schema, name)
      case 'string':
        return this.string(schema, name)
      case 'integer':
      case 'number':
        return this.number(schema)
      case 'boolean':
        return false
      default:
        if (schema.properties) return this.object(schema)
        return schema.nullable ? null : {}
    }
  }

  private acceptsExample(value: unknown): boolean {
    if (this.specExamples === 'none') return false
    return this.specExamples === 'all' || value === null || typeof value !== 'object'
  }

  private allOf(schema: Schema, name: string): unknown {
    // One part may list as required what another part defines: merge the object parts, then build once.
    const properties: Record<string, Schema> = {}
    const required = new Set<string>()
    const others: Schema[] = []
    const collect = (part: Schema, depth: number): void => {
      const resolved = isRef(part) && depth < 16 ? (resolvePointer(this.spec, part.$ref) as Schema) : part
      const { allOf, ...rest } = resolved
      for (const inner of allOf ?? []) collect(inner, depth + 1)
      if (rest.oneOf || rest.anyOf) others.push(rest)
      Object.assign(properties, rest.properties)
      for (const key of rest.required ?? []) required.add(key)
    }
    collect(schema, 0)
    const merged: Record<string, unknown> = this.object({ type: 'object', properties, required: [...required] })
    for (const other of others) {
      const { properties: _p, required: _r, ...choice } = other
      const value = this.build(choice, name)
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(merged, value)
    }
    return merged
  }

  private oneOf(schema: Schema, choices: Schema[], name: string): unknown {
    const first = choices[0] as Schema
    const value = this.build(first, name)
    const discriminator = schema.discriminator
    if (discriminator && value && typeof value === 'object' && !Array.isArray(value)) {
      // The discriminator names the variant: take the mapping key that points at the chosen schema.
      const ref = isRef(first) ? first.$ref : undefined
      const mapped = Object.entries(discriminator.mapping ?? {}).find(([, target]) => target === ref)?.[0]
      const key = mapped ?? (ref ? schemaRefName(ref) : undefined)
      if (key !== undefined) (value as Record<string, unknown>)[discriminator.propertyName] = key
    }
    const { oneOf: _o, anyOf: _a, discriminator: _d, ...rest } = schema
    if (rest.properties || rest.required) {
      const own = this.build({ ...rest, type: 'object' }, name)
      if (own && typeof own === 'object' && value && typeof value === 'object') return { ...own, ...value }
    }
    return value
  }

  private object(schema: Schema): Record<string, unknown> {
    const value: Record<string, unknown> = {}
    // A property with its own default is sent too: openapi-typescript types it as required (defaultNonNullable).
    const withDefault = Object.entries(schema.properties ?? {})
      .filter(([, property]) => !isRef(property) && property.default !== undefined)
      .map(([key]) => key)
    for (const key of new Set([...(schema.required ?? []), ...withDefault])) {
      const property = schema.properties?.[key]
      const built = property ? this.build(property, key) : this.placeholder(key)
      if (built !== undefined) value[key] = built
    }
    return value
  }

  private array(schema: Schema, name: string): unknown[] {
    const count = schema.minItems ?? 0
    if (count === 0 || !schema.items) return []
    const item = this.build(schema.items, name)
    return Array.from({ length: count }, () => structuredClone(item))
  }

  private string(schema: Schema, name: string): string {
    const formatted = schema.format ? FORMAT_VALUES[schema.format] : undefined
    let value = formatted ?? this.placeholder(name)
    if (schema.minLength !== undefined && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x')
    if (schema.maxLength !== undefined && value.length > schema.maxLength) value = value.slice(0, schema.maxLength)
    return value
  }

  private number(schema: Schema): number {
    // OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum.
    let value = 0
    if (typeof schema.minimum === 'number') value = schema.minimum + (schema.exclusiveMinimum === true ? 1 : 0)
    else if (typeof schema.exclusiveMinimum === 'number') value = schema.exclusiveMinimum + 1
    else if (typeof schema.maximum === 'number' && schema.maximum < 0) value = schema.maximum
    return schema.type === 'integer' ? Math.ceil(value) : value
  }
}

/** A value valid for `schema`; `name` feeds the placeholder of free-form strings. */
export function exampleFromSchema(
  spec: OpenApiDocument,
  schema: Schema,
  name = 'value',
  options: ExampleOptions = {},
): unknown {
  return new Builder(spec, options).build(schema, name)
}

/** A value for a parameter: its own example, then its schema's. */
export function exampleForParameter(
  spec: OpenApiDocument,
  parameter: Parameter,
  options: ExampleOptions = {},
): unknown {
  const given = parameter.example ?? Object.values(parameter.examples ?? {}).find((e) => e.value !== undefined)?.value
  const accepted = options.specExamples ?? 'all'
  if (given !== undefined && (accepted === 'all' || (accepted === 'primitives' && typeof given !== 'object'))) {
    return structuredClone(given)
  }
  return exampleFromSchema(spec, parameter.schema ?? { type: 'string' }, parameter.name, options)
}
