import { describe, expect, it } from 'vitest'
import { exampleForParameter, exampleFromSchema } from '../src/examples.js'
import type { OpenApiDocument, Schema } from '../src/openapi.js'
import { documentsStatus, listOperations } from '../src/openapi.js'
import { planCall } from '../src/requests.js'

const spec: OpenApiDocument = {
  openapi: '3.0.3',
  info: { version: '1' },
  paths: {
    '/things/{thing}': {
      parameters: [{ name: 'thing', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        operationId: 'makeThing',
        parameters: [
          { name: 'mode', in: 'query', required: true, schema: { $ref: '#/components/schemas/Mode' } },
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
        },
        responses: { '201': { description: 'made' }, default: { description: 'error' } },
      },
    },
  },
  components: {
    schemas: {
      Mode: { type: 'string', enum: ['fast', 'slow'] },
      Node: {
        type: 'object',
        required: ['id', 'when'],
        properties: {
          id: { type: 'string' },
          when: { type: 'string', format: 'date-time' },
          parent: { $ref: '#/components/schemas/Node' },
          color: { type: 'string', default: 'red' },
        },
      },
      Cat: {
        type: 'object',
        required: ['kind', 'lives'],
        properties: { kind: { type: 'string' }, lives: { type: 'integer' } },
      },
      Dog: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } },
    },
  },
}

const cases: [string, Schema, unknown][] = [
  ['the first enum value', { type: 'string', enum: ['b', 'a'] }, 'b'],
  ['a well-formed date-time', { type: 'string', format: 'date-time' }, '2024-01-01T00:00:00.000Z'],
  ['a well-formed email', { type: 'string', format: 'email' }, 'user@example.com'],
  ['a well-formed uri', { type: 'string', format: 'uri' }, 'https://example.com/'],
  ['a placeholder padded to minLength', { type: 'string', minLength: 12 }, 'test-valuexx'],
  ['the minimum of an integer, past an exclusive bound', { type: 'integer', minimum: 3, exclusiveMinimum: true }, 4],
  ['false for a boolean', { type: 'boolean' }, false],
  [
    'an empty array unless minItems asks for more',
    { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2 },
    [1, 1],
  ],
  ["the schema's own example", { type: 'object', example: { a: 1 } }, { a: 1 }],
  [
    'required properties and defaulted ones, recursion left out',
    { $ref: '#/components/schemas/Node' },
    { id: 'test-id', when: '2024-01-01T00:00:00.000Z', color: 'red' },
  ],
  [
    'the merged required properties of allOf',
    {
      allOf: [
        { $ref: '#/components/schemas/Dog' },
        { type: 'object', required: ['age'], properties: { age: { type: 'number' } } },
      ],
    },
    { kind: 'test-kind', age: 0 },
  ],
  [
    'what one allOf part requires of properties another part defines',
    {
      allOf: [
        { $ref: '#/components/schemas/Dog' },
        { required: ['name'] },
        { properties: { name: { type: 'string' } } },
      ],
    },
    { kind: 'test-kind', name: 'test-name' },
  ],
  [
    'the first oneOf variant, with the discriminator value that maps to it',
    {
      oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
      discriminator: { propertyName: 'kind', mapping: { cat: '#/components/schemas/Cat' } },
    },
    { kind: 'cat', lives: 0 },
  ],
]

describe('building values from a schema', () => {
  it.each(cases)('gives %s', (_, schema, expected) => {
    expect(exampleFromSchema(spec, schema)).toEqual(expected)
  })

  it('keeps objects minimal when only primitive examples are wanted', () => {
    const schema: Schema = {
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string', example: 'x' } },
      example: { a: 'y', b: 2 },
    }
    expect(exampleFromSchema(spec, schema, 'v', { specExamples: 'primitives' })).toEqual({ a: 'x' })
  })

  it('names free-form strings with the placeholder it is given', () => {
    expect(
      exampleForParameter(
        spec,
        { name: 'score', in: 'path', schema: { type: 'string' } },
        { placeholder: (n) => `<${n}>` },
      ),
    ).toBe('<score>')
  })
})

describe('planning a call from an operation', () => {
  const [entry] = listOperations(spec)

  it('fills path and required query parameters, builds the body and asks the mock for the documented 2xx', () => {
    const plan = entry && planCall(spec, entry)

    expect(plan).toEqual({
      ok: true,
      call: {
        method: 'POST',
        path: '/things/{thing}',
        expectedStatus: 201,
        init: {
          params: { path: { thing: 'test-thing' }, query: { mode: 'fast' } },
          headers: { Prefer: 'code=201, dynamic=true, seed=makeThing' },
          body: { id: 'test-id', when: '2024-01-01T00:00:00.000Z', color: 'red' },
          parseAs: 'arrayBuffer',
        },
      },
    })
  })

  it('counts a status as documented when the operation lists it or has a default response', () => {
    expect(entry && documentsStatus(entry, 201)).toBe(true)
    expect(entry && documentsStatus(entry, 503)).toBe(true)
    expect(entry && documentsStatus({ ...entry, responses: { '201': {} } }, 503)).toBe(false)
  })
})
