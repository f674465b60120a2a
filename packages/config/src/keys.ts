// Every configuration key of the project, defined once: its JSON Schema (with
// the default), who reads it and why. The words an error uses for a bad value
// come from the schema; the services' key lists, the README table and
// http-check's `-c KEY` all come from here.

export type Service = 'numbers-api' | 'numbers-web'

type Described = {
  readonly usedBy: readonly Service[]
  readonly description: string
}

/** A pattern says nothing a user can read: such a key says in words what it takes. */
export type KeyDefinition = Described &
  (
    | {
        readonly schema:
          | {
              readonly type: 'integer'
              readonly minimum: number
              readonly maximum: number
              readonly default: number
            }
          | { readonly type: 'boolean'; readonly default: boolean }
          | { readonly type: 'string'; readonly enum: readonly string[]; readonly default: string }
        readonly expected?: never
      }
    | {
        readonly schema: {
          readonly type: 'string'
          readonly pattern: string
          readonly default: string
        }
        /** Completes "KEY must be ...". */
        readonly expected: string
      }
  )

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
    usedBy: both,
    description: 'Port to listen on. The images set 80; `pnpm dev` puts the web on 3001.',
  },
  LOG_LEVEL: {
    schema: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    usedBy: both,
    description: 'pino log level. `debug` logs every number served.',
  },
  LOG_FORMAT: {
    schema: { type: 'string', enum: ['auto', 'json', 'pretty'], default: 'auto' },
    usedBy: both,
    description:
      '`auto`: pretty when stdout is a terminal and pino-pretty is installed (dev), JSON otherwise.',
  },
  SHUTDOWN_GRACE_MS: {
    schema: { type: 'integer', minimum: 1, maximum: 60_000, default: 5000 },
    usedBy: both,
    description:
      'On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.',
  },
  SHUTDOWN_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 60_000, default: 0 },
    usedBy: both,
    description:
      'On SIGTERM, `/ready` answers 503 at once and everything else is still served for this long, so a load balancer takes the service out of rotation before it stops accepting. The Swarm stack and the Kubernetes manifests set it.',
  },
  METRICS: {
    schema: { type: 'boolean', default: true },
    usedBy: both,
    description:
      '`GET /metrics` in the Prometheus text format, and the counters behind it. `false` turns both off (the benchmarks compare).',
  },
  REQUEST_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 100, maximum: 300_000, default: 10_000 },
    usedBy: both,
    description:
      'How long a client may take to send its whole request; slower ones (slowloris) get 408.',
  },
  FAIL_AFTER: {
    schema: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 3 },
    usedBy: api,
    description:
      'Good `/rng` calls before the API turns unhealthy for good. `0` = never fail (benchmarks).',
  },
  BROKEN: {
    schema: { type: 'boolean', default: false },
    usedBy: api,
    description: 'Unhealthy from the first request (a bad release, for rollback lessons).',
  },
  STARTUP_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: HOUR_MS, default: 0 },
    usedBy: api,
    description: '`/ready` answers 503 for this long after start (a slow warm-up).',
  },
  RESPONSE_DELAY_MS: {
    schema: { type: 'integer', minimum: 0, maximum: HOUR_MS, default: 0 },
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
    usedBy: web,
    description: 'Total deadline for one call to the API (connect, headers and body).',
  },
  RNG_API_CONNECT_TIMEOUT_MS: {
    schema: { type: 'integer', minimum: 1, maximum: 60_000, default: 500 },
    usedBy: web,
    description: 'Deadline for opening a connection to the API.',
  },
  API_STATUS_CACHE_MS: {
    schema: { type: 'integer', minimum: 0, maximum: 60_000, default: 2000 },
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

/** Completes "KEY must be ...", from the key's schema: `an integer 1-65535`, `true or false`. */
export function expectedOf(key: KeyDefinition): string {
  // Only a pattern's key has words of its own.
  if (key.expected !== undefined) return key.expected
  const { schema } = key
  switch (schema.type) {
    case 'integer':
      return `an integer ${schema.minimum}-${schema.maximum}`
    case 'boolean':
      return 'true or false'
    case 'string':
      return `one of ${schema.enum.join(', ')}`
  }
}

/** The keys `service` reads; for a union of services, the keys every one of them reads. */
export type KeyUsedBy<S extends Service> = {
  [K in KeyName]: [S] extends [(typeof keys)[K]['usedBy'][number]] ? K : never
}[KeyName]

/** The keys `service` reads, in the registry's order. */
export function keysUsedBy<S extends Service>(service: S): readonly KeyUsedBy<S>[] {
  return (Object.keys(keys) as KeyName[]).filter((name) =>
    (keys[name].usedBy as readonly Service[]).includes(service),
  ) as KeyUsedBy<S>[]
}
