// Every configuration key of the project, defined once: its JSON Schema (with
// the default), the words an error uses for it, who reads it and why. The
// services' schemas, the README table and http-check's `-c KEY` all come from here.

export type KeyDefinition = {
  readonly schema:
    | {
        readonly type: 'integer'
        readonly minimum: number
        readonly maximum: number
        readonly default: number
      }
    | { readonly type: 'boolean'; readonly default: boolean }
    | { readonly type: 'string'; readonly enum: readonly string[]; readonly default: string }
    | { readonly type: 'string'; readonly pattern: string; readonly default: string }
  /** Completes "KEY must be ...". */
  readonly expected: string
  readonly usedBy: readonly ('numbers-api' | 'numbers-web')[]
  readonly description: string
}

const both = ['numbers-api', 'numbers-web'] as const
const api = ['numbers-api'] as const
const web = ['numbers-web'] as const
const HOUR_MS = 3_600_000
const httpUrlPattern = '^https?://[^\\s/?#]+(/[^\\s]*)?$'

export const keys = {
  HOST: {
    // At most 253 characters, as DNS allows: a longer name passed and then failed at listen().
    schema: { type: 'string', pattern: '^[0-9A-Za-z.:-]{1,253}$', default: '::' },
    expected: 'a host name or IP address',
    usedBy: both,
    description:
      'Address to listen on. `::` accepts IPv4 and IPv6 and falls back to `0.0.0.0` where IPv6 is off.',
  },
  PORT: {
    schema: { type: 'integer', minimum: 1, maximum: 65535, default: 3000 },
    expected: 'an integer 1-65535',
    usedBy: both,
    description: 'Port to listen on. The images set 80; `pnpm dev` puts the web on 3001.',
  },
  LOG_LEVEL: {
    schema: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    usedBy: both,
    description: 'pino log level. `debug` logs every number served.',
  },
  LOG_FORMAT: {
    schema: { type: 'string', enum: ['auto', 'json', 'pretty'], default: 'auto' },
    expected: 'one of auto, json, pretty',
    usedBy: both,
    description:
      '`auto`: pretty when stdout is a terminal and pino-pretty is installed (dev), JSON otherwise.',
  },
  SHUTDOWN_GRACE_MS: {
    schema: { type: 'integer', minimum: 1, maximum: 60_000, default: 5000 },
    expected: 'an integer 1-60000',
    usedBy: both,
    description:
      'On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.',
  },
  SHUTDOWN_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 60_000, default: 0 },
    expected: 'an integer 0-60000',
    usedBy: both,
    description:
      'On SIGTERM, `/ready` answers 503 at once and everything else is still served for this long, so a load balancer takes the service out of rotation before it stops accepting. The Swarm stack and the Kubernetes manifests set it.',
  },
  METRICS: {
    schema: { type: 'boolean', default: true },
    expected: 'true or false',
    usedBy: both,
    description:
      '`GET /metrics` in the Prometheus text format, and the counters behind it. `false` turns both off (the benchmarks compare).',
  },
  REQUEST_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 300_000, default: 10_000 },
    expected: 'an integer 100-300000',
    usedBy: both,
    description:
      'How long a client may take to send its whole request; slower ones (slowloris) get 408.',
  },
  FAIL_AFTER: {
    schema: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 3 },
    expected: 'an integer 0-1000000000',
    usedBy: api,
    description:
      'Good `/rng` calls before the API turns unhealthy for good. `0` = never fail (benchmarks).',
  },
  BROKEN: {
    schema: { type: 'boolean', default: false },
    expected: 'true or false',
    usedBy: api,
    description: 'Unhealthy from the first request (a bad release, for rollback lessons).',
  },
  STARTUP_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: HOUR_MS, default: 0 },
    expected: `an integer 0-${HOUR_MS}`,
    usedBy: api,
    description: '`/ready` answers 503 for this long after start (a slow warm-up).',
  },
  RESPONSE_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: HOUR_MS, default: 0 },
    expected: `an integer 0-${HOUR_MS}`,
    usedBy: api,
    description: 'Extra latency on every `/rng` (to watch check timeouts fail).',
  },
  RNG_API_URL: {
    schema: { type: 'string', pattern: httpUrlPattern, default: 'http://numbers-api/rng' },
    expected: 'an http:// or https:// URL',
    usedBy: web,
    description:
      "The API's `/rng` URL. Its health URLs are derived from it (`/health`, `/ready` on the same origin).",
  },
  RNG_API_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 1, maximum: 60_000, default: 1000 },
    expected: 'an integer 1-60000',
    usedBy: web,
    description: 'Total deadline for one call to the API (connect, headers and body).',
  },
  RNG_API_CONNECT_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 1, maximum: 60_000, default: 500 },
    expected: 'an integer 1-60000',
    usedBy: web,
    description: 'Deadline for opening a connection to the API.',
  },
  API_STATUS_CACHE_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 60_000, default: 2000 },
    expected: 'an integer 0-60000',
    usedBy: web,
    description: "How long the web reuses one probe of the API's health for the page's badge.",
  },
} as const satisfies Record<string, KeyDefinition>

export type KeyName = keyof typeof keys

type ValueOf<S> = S extends { type: 'integer' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { enum: readonly (infer E)[] }
      ? E
      : string

/** The typed config object for a set of keys, derived from their schemas. */
export type ConfigOf<K extends KeyName> = { readonly [P in K]: ValueOf<(typeof keys)[P]['schema']> }

/** The config every key would have with nothing set: the registry's defaults. */
export function defaultsOf<K extends KeyName>(names: readonly K[]): ConfigOf<K> {
  return Object.fromEntries(names.map((name) => [name, keys[name].schema.default])) as ConfigOf<K>
}

export function isKeyName(name: string): name is KeyName {
  return Object.hasOwn(keys, name)
}
