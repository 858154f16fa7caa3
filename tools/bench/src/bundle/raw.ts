// Bundle entry: one typed call through @flat-api/raw alone, and a fixed-interval loop for the wait.
import { createRawClient } from '@flat-api/raw'

const TERMINAL = new Set(['done', 'error', 'canceled'])

export async function run(baseUrl: string, accessToken: string, score: string, task: string): Promise<unknown[]> {
  const client = createRawClient({ baseUrl, accessToken })
  const { data } = await client.GET('/scores/{score}', { params: { path: { score } } })
  for (;;) {
    const { data: polled, error } = await client.GET('/tasks/{task}', { params: { path: { task } } })
    if (error !== undefined) throw new Error(JSON.stringify(error))
    if (TERMINAL.has(polled.state)) return [data, polled]
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}
