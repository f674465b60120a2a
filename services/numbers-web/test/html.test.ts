import { describe, expect, it } from 'vitest'
import { escapeHtml, html, SafeHtml } from '../src/html.ts'

describe('html', () => {
  it('a script tag in a value arrives as text', () => {
    expect(html`<p>${'<script>alert(1)</script>'}</p>`.value).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    )
  })

  it('a value cannot break out of a double- or single-quoted attribute', () => {
    expect(html`<a title="${'" onmouseover="alert(1)'}">`.value).toBe(
      '<a title="&quot; onmouseover=&quot;alert(1)">',
    )
    expect(html`<a title='${"' onerror='alert(1)"}'>`.value).toBe(
      "<a title='&#39; onerror=&#39;alert(1)'>",
    )
  })

  it('ampersands and backticks are escaped, entities are not trusted', () => {
    expect(escapeHtml('&amp; `x` &lt;')).toBe('&amp;amp; &#96;x&#96; &amp;lt;')
  })

  it('a fragment built by html is kept as markup, not escaped twice', () => {
    const item = html`<li>${'a & b'}</li>`
    expect(html`<ul>${item}</ul>`.value).toBe('<ul><li>a &amp; b</li></ul>')
  })

  it('arrays render each item, escaped unless it is a fragment', () => {
    expect(html`${['<b>', html`<i>ok</i>`]}`.value).toBe('&lt;b&gt;<i>ok</i>')
  })

  it('an object that looks like a fragment is still escaped', () => {
    const forged = { value: '<img src=x onerror=alert(1)>', toString: () => '<svg onload=x>' }
    expect(html`${forged}`.value).toBe('&lt;svg onload=x&gt;')
    expect(new SafeHtml('<b>').toString()).toBe('<b>')
  })

  it('nothing renders as nothing, and 0 as 0', () => {
    expect(html`[${undefined}${null}${false}${0}]`.value).toBe('[0]')
  })
})
