/** Sent in the User-Agent; kept in step with package.json by the version test. */
export const SDK_VERSION = '0.1.0'
