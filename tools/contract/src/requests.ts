/**
 * Turns an operation of the spec into a call of the raw client: path, query and header parameters and a body
 * built from the spec, or the reason it cannot be built.
 */
import { exampleForParameter, exampleFromSchema } from './examples.js'
import { type OpenApiDocument, type OperationEntry, successCodes } from './openapi.js'

export interface PlannedCall {
  method: Uppercase<OperationEntry['method']>
  path: string
  init: {
    params: { path?: Record<string, unknown>; query?: Record<string, unknown>; header?: Record<string, unknown> }
    body?: unknown
    headers: Record<string, string>
    bodySerializer?: (body: unknown) => string
    parseAs: 'arrayBuffer'
  }
  /** The success status asked of the mock, when the operation documents one. */
  expectedStatus: number | undefined
}

export type Plan = { ok: true; call: PlannedCall } | { ok: false; reason: string }

const JSON_TYPES = ['application/json', 'application/*+json']

function isJsonType(type: string): boolean {
  return JSON_TYPES.includes(type) || /^application\/[\w.+-]*\+json$/.test(type)
}

/** A form body for `application/x-www-form-urlencoded`: one key=value pair per top-level field. */
function formSerializer(body: unknown): string {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item))
  }
  return form.toString()
}

export function planCall(spec: OpenApiDocument, entry: OperationEntry): Plan {
  const params: PlannedCall['init']['params'] = {}
  for (const parameter of entry.parameters) {
    // Optional query and header parameters are left out: the smallest valid request is the point.
    if (parameter.in !== 'path' && !parameter.required) continue
    if (parameter.in === 'cookie') return { ok: false, reason: `needs cookie parameter ${parameter.name}` }
    const value = exampleForParameter(spec, parameter)
    if (value === undefined) return { ok: false, reason: `no value can be built for ${parameter.in} ${parameter.name}` }
    const location = parameter.in
    params[location] = { ...params[location], [parameter.name]: value }
  }

  const expectedStatus = successCodes(entry)[0]
  // Prism picks the response to mock from `Prefer`. Dynamic bodies come from the schema (its static sampler drops
  // required properties under allOf), seeded per operation so each answer is the same whatever the test order.
  const prefer = [`dynamic=true`, `seed=${entry.operationId}`]
  if (expectedStatus !== undefined) prefer.unshift(`code=${expectedStatus}`)
  const headers: Record<string, string> = { Prefer: prefer.join(', ') }

  const call: PlannedCall = {
    method: entry.method.toUpperCase() as PlannedCall['method'],
    path: entry.path,
    init: { params, headers, parseAs: 'arrayBuffer' },
    expectedStatus,
  }

  const body = entry.requestBody
  if (body?.content) {
    const types = Object.keys(body.content)
    const jsonType = types.find(isJsonType)
    if (jsonType) {
      const media = body.content[jsonType]
      call.init.body = media?.example ?? exampleFromSchema(spec, media?.schema ?? {}, 'body')
    } else if (types.includes('application/x-www-form-urlencoded')) {
      if (body.required) {
        const media = body.content['application/x-www-form-urlencoded']
        call.init.body = exampleFromSchema(spec, media?.schema ?? {}, 'body')
        call.init.bodySerializer = formSerializer
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
      }
    } else if (body.required) {
      return { ok: false, reason: `needs a ${types.join(' or ')} body, which the builder does not make` }
    }
  }
  return { ok: true, call }
}
