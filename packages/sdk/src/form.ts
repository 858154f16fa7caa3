import type { paths } from '@flat-api/raw'

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch'
const FORM_TYPE = 'application/x-www-form-urlencoded' as const

/** Every `[path, method]` whose request body the spec declares as `application/x-www-form-urlencoded`. */
type TakesForm<Op> = Op extends { requestBody?: infer Body }
  ? [NonNullable<Body>] extends [never]
    ? false
    : NonNullable<Body> extends { content: infer Content }
      ? typeof FORM_TYPE extends keyof Content
        ? true
        : false
      : false
  : false

type DeclaredFormOperation = {
  [P in keyof paths]: {
    [M in Method]: TakesForm<paths[P][M]> extends true ? `${M} ${P}` : never
  }[Method]
}[keyof paths]

/**
 * The operations that take a form body, as `method path` with the path template. openapi-fetch serializes every
 * body as JSON; these four are re-encoded by the client's middleware. The type below fails to compile when the spec
 * adds or drops one, and a test compares the list with the resolved spec.
 */
export const FORM_OPERATIONS = [
  'put /collections/{collection}/scores/{score}',
  'delete /collections/{collection}/scores/{score}',
  'delete /scores/{score}/collaborators/{collaborator}',
  'delete /scores/{score}/comments/{comment}',
] as const satisfies readonly DeclaredFormOperation[]

type Listed = (typeof FORM_OPERATIONS)[number]
// Both directions: every declared operation is listed, and every listed one is declared.
const exhaustive: [DeclaredFormOperation] extends [Listed] ? true : false = true
void exhaustive

const FORM_SET: ReadonlySet<string> = new Set(FORM_OPERATIONS)

/** Whether `method` on the path template `schemaPath` takes a form body. */
export function takesFormBody(method: string, schemaPath: string): boolean {
  return FORM_SET.has(`${method.toLowerCase()} ${schemaPath}`)
}

/** Encodes a flat object as a form body: arrays repeat their key, `undefined` and `null` are left out. */
export function encodeForm(value: unknown): string {
  if (value === null || value === undefined) return ''

  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`a form body must be an object, got ${Array.isArray(value) ? 'an array' : typeof value}`)
  }
  const form = new URLSearchParams()
  for (const [name, field] of Object.entries(value)) {
    for (const item of Array.isArray(field) ? field : [field]) {
      if (item === undefined || item === null) continue
      if (typeof item === 'object') throw new TypeError(`form field "${name}" must be a string, number or boolean`)

      form.append(name, String(item))
    }
  }
  return form.toString()
}

export { FORM_TYPE }
