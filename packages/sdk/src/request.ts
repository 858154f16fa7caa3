import { createApiError, FlatMalformedResponseError, type RequestTarget } from './errors.js'

interface RawResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/**
 * Awaits a raw-client call and returns its data, or throws the typed error for its status.
 * A success body that is not valid JSON becomes a FlatMalformedResponseError rather than a bare SyntaxError.
 */
export async function unwrap<T>(
  target: RequestTarget,
  call: Promise<RawResult<T>>,
): Promise<{ data: T; response: Response }> {
  let result: RawResult<T>
  try {
    result = await call
  } catch (error) {
    if (error instanceof SyntaxError) throw new FlatMalformedResponseError(target, 200, error)
    throw error
  }
  if (!result.response.ok) throw createApiError(target, result.response, result.error)
  return { data: result.data as T, response: result.response }
}
