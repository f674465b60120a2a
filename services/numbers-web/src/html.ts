// The one way HTML is written: a tagged template that escapes every value it
// is given, unless the value is itself a fragment built by `html`.

export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => entities[char] ?? char)
}

/** Nothing (undefined, null, false) renders as nothing, so `${cond && html`...`}` reads well. */
function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === undefined || value === null || value === false) return ''
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): SafeHtml {
  let out = strings[0] ?? ''
  for (const [index, value] of values.entries()) {
    out += render(value) + (strings[index + 1] ?? '')
  }
  return new SafeHtml(out)
}
