import type { paths } from '@flat-api/raw'

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch'

/** The JSON body an operation declares for a status, straight from the generated types. */
export type ResponseBody<P extends keyof paths, M extends Method, S extends number> = paths[P][M] extends {
  responses: infer R
}
  ? S extends keyof R
    ? R[S] extends { content: { 'application/json': infer B } }
      ? B
      : never
    : never
  : never

/** The JSON request body an operation declares. */
export type RequestBody<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } }
}
  ? B
  : never
