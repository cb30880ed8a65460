// The browser tests' font check: Graphviz lays labels out for Times, so a wider substitute must fail with advice.
import { describe, expect, it } from 'vitest'
import { checkLayoutFont, timesFont } from './helpers/browser.ts'

describe('the layout font check of the browser tests', () => {
  it('accepts fonts with the metrics of Times, and a machine without fontconfig', () => {
    for (const family of ['Liberation Serif', 'Times New Roman', 'Nimbus Roman', 'Tinos', undefined]) {
      expect(() => checkLayoutFont(family)).not.toThrow()
    }
  })

  it('refuses a wider substitute, naming it and the package to install', () => {
    expect(() => checkLayoutFont('DejaVu Serif')).toThrow(/maps Times to "DejaVu Serif".*apt-get install fonts-liberation/s)
  })

  it('passes on this machine (the browser tests would fail with its message otherwise)', () => {
    expect(() => checkLayoutFont(timesFont())).not.toThrow()
  })
})
