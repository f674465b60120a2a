// `--cert PATH`: the file holds a PEM certificate that is valid now and for at
// least `--cert-min-days` more days. node:crypto loads only for this check.
import type { X509Certificate } from 'node:crypto'
import { nowMs } from './clock.ts'
import { readSmallFile } from './file.ts'
import { printable } from './output.ts'
import type { CheckResult } from './result.ts'

export const DEFAULT_CERT_MIN_DAYS = 7
const DAY_MS = 86_400_000
const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** Every certificate in the file must hold; the line names the one that expires first. */
export function checkCert(path: string, minDays: number, now = Date.now()): CheckResult {
  const startedAt = nowMs()
  const shownAs = `cert ${path}`
  const result = (
    fields: { ok: true; detail: string } | { ok: false; code: string; reason: string },
  ) => ({ url: shownAs, elapsedMs: nowMs() - startedAt, timings: {}, ...fields }) as CheckResult
  const read = readSmallFile(path)
  if (!('text' in read)) return result({ ok: false, ...read })
  const blocks = read.text.match(PEM) ?? []
  if (blocks.length === 0)
    return result({ ok: false, code: 'NO_CERT', reason: 'no PEM certificate in the file' })
  const { X509Certificate } = process.getBuiltinModule('node:crypto')
  let certificates: X509Certificate[]
  try {
    certificates = blocks.map((pem) => new X509Certificate(pem))
  } catch {
    return result({ ok: false, code: 'BAD_CERT', reason: 'a PEM block is not a valid certificate' })
  }
  const notYet = certificates.find((certificate) => certificate.validFromDate.getTime() > now)
  if (notYet !== undefined) {
    const reason = `${subjectOf(notYet)} is not valid before ${notYet.validFromDate.toISOString()}`
    return result({ ok: false, code: 'NOT_YET_VALID', reason })
  }
  const first = certificates.reduce((soonest, certificate) =>
    certificate.validToDate < soonest.validToDate ? certificate : soonest,
  )
  const leftMs = first.validToDate.getTime() - now
  const subject = subjectOf(first)
  const until = first.validToDate.toISOString().slice(0, 10)
  if (leftMs <= 0) {
    return result({ ok: false, code: 'EXPIRED', reason: `${subject} expired on ${until}` })
  }
  const days = Math.floor(leftMs / DAY_MS)
  if (leftMs < minDays * DAY_MS) {
    const reason = `${subject} expires in ${days} days (${until}), fewer than --cert-min-days ${minDays}`
    return result({ ok: false, code: 'EXPIRING', reason })
  }
  return result({ ok: true, detail: `${subject}, ${days} days left` })
}

/** `CN=numbers-api, O=Example`: the subject on one line, as the file has it. */
function subjectOf(certificate: X509Certificate): string {
  return printable(certificate.subject.split('\n').join(', '))
}
