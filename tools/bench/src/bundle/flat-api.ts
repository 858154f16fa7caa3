// Bundle entry: flat-api's client, one getScore call and a fixed-interval getTask loop (it has no wait helper).
import { FlatClient } from 'flat-api'

const TERMINAL = new Set(['done', 'error', 'canceled'])

export async function run(baseUrl: string, accessToken: string, score: string, task: string): Promise<unknown[]> {
  const client = new FlatClient({ baseUrl, accessToken })
  const data = await client.scores.getScore({ score })
  for (;;) {
    const polled = await client.tasks.getTask({ task })
    if (TERMINAL.has(polled.state)) return [data, polled]
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}
