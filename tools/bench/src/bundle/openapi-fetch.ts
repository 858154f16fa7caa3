// Bundle entry: the same as raw.ts with openapi-fetch alone, for reference.
import type { paths } from '@flat-api/raw'
import createClient from 'openapi-fetch'

const TERMINAL = new Set(['done', 'error', 'canceled'])

export async function run(baseUrl: string, accessToken: string, score: string, task: string): Promise<unknown[]> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${accessToken}` } })
  const { data } = await client.GET('/scores/{score}', { params: { path: { score } } })
  for (;;) {
    const { data: polled, error } = await client.GET('/tasks/{task}', { params: { path: { task } } })
    if (error !== undefined) throw new Error(JSON.stringify(error))
    if (TERMINAL.has(polled.state)) return [data, polled]
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}
