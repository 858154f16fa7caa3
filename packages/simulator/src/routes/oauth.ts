import { isRecord, type Router } from '../http.js'
import type { OAuthServer } from '../oauth.js'

/** The token endpoint and the authorization page, outside `/v2` as on Flat. */
export function registerOAuthRoutes(router: Router, oauth: OAuthServer): void {
  router.add('POST', '/oauth/access_token', { auth: false, body: 'form' }, ({ body, req }) => {
    const fields: Record<string, string> = {}
    if (isRecord(body))
      for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value
    return oauth.exchange(fields, req.headers.authorization)
  })
  router.add('GET', '/auth/oauth', { auth: false }, ({ query }) => oauth.authorize(query))
}
