const PARAM_RE = /\{([^{}]+)\}/g

/** Dot segments in any spelling a server or URL parser would fold into `.` or `..`. */
const DOT_SEGMENT_RE = /^(?:\.|%2e){1,2}$/i
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_RE = /[\u0000-\u001f\u007f]/

/**
 * Checks one path parameter value and returns it percent-encoded as a single segment.
 * Throws a TypeError naming the parameter for anything that would change which resource is addressed.
 */
export function encodePathParam(name: string, value: unknown): string {
  if (value === undefined || value === null) {
    throw new TypeError(`path parameter "${name}" is required, got ${String(value)}`)
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TypeError(`path parameter "${name}" must be a string, got ${typeof value}`)
  }
  const text = String(value)
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`path parameter "${name}" must be a finite number, got ${text}`)
  }
  if (text.length === 0) throw new TypeError(`path parameter "${name}" must not be empty`)
  // An id never holds a control character; one there is a bug upstream (a trailing newline read from a file).
  if (CONTROL_RE.test(text)) {
    throw new TypeError(`path parameter "${name}" must not contain control characters, got ${JSON.stringify(text)}`)
  }
  if (DOT_SEGMENT_RE.test(text)) {
    throw new TypeError(`path parameter "${name}" must not be a dot segment, got ${JSON.stringify(text)}`)
  }
  try {
    return encodeURIComponent(text)
  } catch {
    // encodeURIComponent throws URIError on a lone surrogate.
    throw new TypeError(`path parameter "${name}" must be well-formed Unicode`)
  }
}

/**
 * A path serializer for openapi-fetch that fills every `{param}` of the template or throws,
 * so a request never leaves with a literal `{task}` or a segment that walks up the tree.
 */
export function serializePath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(PARAM_RE, (_, name: string) => encodePathParam(name, params?.[name]))
}
