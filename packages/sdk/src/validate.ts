/** A value as an error message shows it: strings quoted, the rest as `String()` gives them. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return String(value)
}

export function checkObject(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`)
  }
}

export function checkString(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty string, got ${describe(value)}`)
  }
}

export function checkOptionalString(name: string, value: unknown): asserts value is string | undefined {
  if (value !== undefined) checkString(name, value)
}

export function checkSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value === undefined) return

  if (value === null || typeof value !== 'object' || typeof (value as AbortSignal).aborted !== 'boolean') {
    throw new TypeError(`${name} must be an AbortSignal, got ${describe(value)}`)
  }
}

export function checkFunction(
  name: string,
  value: unknown,
): asserts value is ((...args: never[]) => unknown) | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${describe(value)}`)
  }
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${describe(value)}`)
  }
}

/** A positive number of milliseconds (Infinity allowed when `finite` is false). */
export function checkDuration(name: string, value: unknown, finite = false): asserts value is number | undefined {
  if (value === undefined) return
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number of milliseconds, got ${describe(value)}`)

  if (Number.isNaN(value) || value <= 0 || (finite && !Number.isFinite(value))) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${describe(value)}`)
  }
}

export function checkInteger(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be an integer, got ${describe(value)}`)

  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`
    throw new RangeError(`${name} must be an integer ${range}, got ${describe(value)}`)
  }
}

/** An IETF language tag, loosely: letters, digits and hyphens, as a header value must be. */
export function checkLocale(name: string, value: unknown): asserts value is string | undefined {
  if (value === undefined) return

  if (typeof value !== 'string' || !/^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(value)) {
    throw new TypeError(`${name} must be a language tag such as "fr" or "pt-BR", got ${describe(value)}`)
  }
}

/** Part ids for `parts`: a non-empty array of non-empty strings without commas (the wire joins them with commas). */
export function checkParts(name: string, value: unknown): asserts value is readonly string[] | undefined {
  if (value === undefined) return
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of part ids, got ${describe(value)}`)

  for (const [index, part] of value.entries()) {
    if (typeof part !== 'string' || part.length === 0 || part.includes(',')) {
      throw new TypeError(`${name}[${index}] must be a non-empty part id without commas, got ${describe(part)}`)
    }
  }
}
