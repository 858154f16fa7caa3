// Bundle entry: flat-api's generated ScoreApi and TaskApi without its FlatClient wrapper, the smallest it tree-shakes to.
import { Configuration, ScoreApi, TaskApi } from 'flat-api'

const TERMINAL = new Set(['done', 'error', 'canceled'])

export async function run(basePath: string, accessToken: string, score: string, task: string): Promise<unknown[]> {
  const configuration = new Configuration({ basePath, accessToken: `Bearer ${accessToken}` })
  const data = await new ScoreApi(configuration).getScore({ score })
  const tasks = new TaskApi(configuration)
  for (;;) {
    const polled = await tasks.getTask({ task })
    if (TERMINAL.has(polled.state)) return [data, polled]
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}
