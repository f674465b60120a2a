// The API's URLs, all derived from RNG_API_URL: its health endpoints live at
// the root of the same origin, whatever path /rng has.

export type ApiUrls = {
  readonly rng: URL
  readonly health: URL
  readonly ready: URL
}

export function apiUrls(rngApiUrl: string): ApiUrls {
  return {
    rng: new URL(rngApiUrl),
    health: new URL('/health', rngApiUrl),
    ready: new URL('/ready', rngApiUrl),
  }
}
