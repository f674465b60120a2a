// The Kubernetes manifests, validated against the Kubernetes schemas
// (kubernetes-models) since there is no cluster here, and held to the lessons.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { keys } from '../../packages/config/src/keys.ts'

const folder = join(import.meta.dirname, '..', '..', 'deploy', 'k8s')
const models = { ConfigMap, Namespace, Service, Deployment, PodDisruptionBudget } as const

type Manifest = { kind: keyof typeof models; metadata: { name: string }; [field: string]: unknown }

const files = readdirSync(folder).filter(
  (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
)
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map((doc) => doc.toJS() as Manifest),
)
const deployments = manifests.filter((m) => m.kind === 'Deployment') as unknown as Deployment[]

describe('Kubernetes manifests', () => {
  it('every manifest is valid against the Kubernetes schema of its kind', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(7)
    for (const manifest of manifests) {
      const Model = models[manifest.kind]
      expect(Model, `unexpected kind ${manifest.kind}`).toBeDefined()
      expect(
        () => new Model(manifest as never).validate(),
        `${manifest.kind}/${manifest.metadata.name}`,
      ).not.toThrow()
    }
  })

  it('a broken manifest does fail validation (the validator is real)', () => {
    const [first] = deployments
    const broken = structuredClone(first) as unknown as { spec: { replicas: unknown } }
    broken.spec.replicas = 'two'
    expect(() => new Deployment(broken as never).validate()).toThrow()
  })

  it('kustomization.yaml lists every manifest file', () => {
    const kustomization = parseYaml(readFileSync(join(folder, 'kustomization.yaml'), 'utf8'))
    expect([...kustomization.resources].sort()).toEqual([...files].sort())
  })

  it.each(['numbers-api', 'numbers-web'])(
    '%s probes: liveness /health, readiness /ready, a startup probe',
    (name) => {
      const deployment = deployments.find((d) => d.metadata?.name === name)
      const container = deployment?.spec?.template.spec?.containers[0]
      expect(container?.livenessProbe?.httpGet?.path).toBe('/health')
      expect(container?.readinessProbe?.httpGet?.path).toBe('/ready')
      expect(container?.startupProbe?.httpGet?.path).toBe('/health')
    },
  )

  it.each(['numbers-api', 'numbers-web'])(
    '%s leaves the Service before it stops accepting: a SHUTDOWN_DELAY_MS, and a termination grace period above delay + drain',
    (name) => {
      const deployment = deployments.find((d) => d.metadata?.name === name)
      const pod = deployment?.spec?.template.spec
      const env = Object.fromEntries((pod?.containers[0]?.env ?? []).map((e) => [e.name, e.value]))
      const delayMs = Number(env.SHUTDOWN_DELAY_MS)
      const graceMs = Number(env.SHUTDOWN_GRACE_MS ?? keys.SHUTDOWN_GRACE_MS.schema.default)
      expect(delayMs).toBeGreaterThanOrEqual(2000)
      expect((pod?.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(delayMs + graceMs)
    },
  )

  it('every container runs non-root, read-only, with all capabilities dropped, on a port ≥ 1024', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec
      expect(pod?.securityContext?.runAsNonRoot).toBe(true)
      for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
        expect(container.securityContext?.readOnlyRootFilesystem, container.name).toBe(true)
        expect(container.securityContext?.allowPrivilegeEscalation, container.name).toBe(false)
        expect(container.securityContext?.capabilities?.drop, container.name).toEqual(['ALL'])
        expect(container.resources?.limits?.memory, container.name).toBeDefined()
        for (const port of container.ports ?? [])
          expect(port.containerPort).toBeGreaterThanOrEqual(1024)
        const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]))
        if (container.ports?.length)
          expect(env.PORT).toBe(String(container.ports[0]?.containerPort))
      }
    }
  })

  it("the web's dependency check is an init container that waits on the API's /ready, not /rng", () => {
    const web = deployments.find((d) => d.metadata?.name === 'numbers-web')
    const init = web?.spec?.template.spec?.initContainers?.[0]
    expect(init?.command).toEqual(expect.arrayContaining(['-c', 'RNG_API_URL', '-p', '/ready']))
    expect(init?.command?.join(' ')).not.toContain('/rng')
  })

  it('each deployment has a PodDisruptionBudget that selects its pods', () => {
    const budgets = manifests.filter(
      (m) => m.kind === 'PodDisruptionBudget',
    ) as unknown as PodDisruptionBudget[]
    for (const deployment of deployments) {
      const labels = deployment.spec?.template.metadata?.labels ?? {}
      const budget = budgets.find((b) =>
        Object.entries(b.spec?.selector?.matchLabels ?? {}).every(
          ([key, value]) => labels[key] === value,
        ),
      )
      expect(budget, deployment.metadata?.name).toBeDefined()
    }
  })
})
