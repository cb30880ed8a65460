// The viewer's node search: a combobox over the node names and descriptions of every page, with a listbox of hits.
import { h, icon, KIND_SWATCH } from './dom.ts'
import type { GraphIndex, IndexPage, NodeInfo } from './types.ts'

/** What the search needs from its viewer. */
export interface SearchHost {
  /** The element id of the graph (prefix of the result ids). */
  readonly id: string
  readonly index: GraphIndex
  /** Every page's nodes. */
  nodes(): readonly (readonly NodeInfo[])[]
  /** The reader chose a hit. */
  pick(info: NodeInfo): void
  /** Announces a message to assistive technology. */
  say(text: string): void
}

/** Search box and results of one graph. */
export class NodeSearch {
  /** The search box's container (icon, input, results). */
  readonly root: HTMLDivElement
  /** The text input. */
  readonly input: HTMLInputElement
  readonly #results: HTMLUListElement
  readonly #host: SearchHost
  #hits: NodeInfo[] = []
  #active = -1

  constructor(host: SearchHost) {
    this.#host = host
    const title = host.index.title
    this.input = h('input', {
      type: 'search',
      placeholder: 'Search nodes…',
      'aria-label': `Search the nodes of ${title}`,
      title: 'Search nodes (/)',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      autocomplete: 'off',
      spellcheck: 'false',
    })
    this.#results = h('ul', { class: 'fm-results', role: 'listbox', hidden: '', id: `${host.id}-results`, 'aria-label': 'Matching nodes' })
    this.input.setAttribute('aria-controls', this.#results.id)
    const searchIcon = icon('search')
    searchIcon.classList.add('fm-search-icon')
    // Not a `search` landmark: a page with several graphs would get several, all alike.
    this.root = h('div', { class: 'fm-search' }, searchIcon, this.input, this.#results)
    this.input.addEventListener('input', () => this.search(this.input.value))
    this.input.addEventListener('focus', () => {
      if (this.input.value) this.search(this.input.value)
    })
    this.input.addEventListener('keydown', (e) => this.#onKey(e))
    // Keep the focus in the search box while a result is pressed, so the list stays open until the click.
    this.#results.addEventListener('pointerdown', (e) => e.preventDefault())
    this.#results.addEventListener('mousedown', (e) => e.preventDefault())
    this.#results.addEventListener('click', (e) => {
      const option = e.target instanceof Element ? e.target.closest<HTMLElement>('[data-fm-hit]') : null
      if (option) this.#pick(Number(option.dataset.fmHit))
    })
    this.root.addEventListener('focusout', (e) => {
      if (!this.root.contains(e.relatedTarget as Node | null)) this.close()
    })
  }

  /** Lists the nodes matching `query` (names first: exact, prefix, substring; then descriptions). */
  search(query: string): void {
    const q = query.trim().toLowerCase()
    if (q === '') {
      this.close()
      return
    }
    const hits: { info: NodeInfo; rank: number }[] = []
    this.#host.nodes().forEach((list) =>
      list.forEach((info) => {
        const name = info.label.toLowerCase()
        const at = name.indexOf(q)
        if (at >= 0) hits.push({ info, rank: at === 0 ? (name === q ? 0 : 1) : 2 })
        else if (info.description.toLowerCase().includes(q)) hits.push({ info, rank: 3 })
      }),
    )
    hits.sort((a, b) => a.rank - b.rank)
    this.#hits = hits.slice(0, 50).map((x) => x.info)
    this.#active = this.#hits.length > 0 ? 0 : -1
    const idx = this.#host.index
    const items = this.#hits.map((info, k) => {
      const sw = h('span', { class: 'fm-swatch', 'aria-hidden': 'true' })
      sw.style.background = KIND_SWATCH[info.kind] ?? 'var(--fm-empty)'
      const page = idx.pages[info.page] as IndexPage
      const where = info.page === 0 ? idx.title : `${idx.title} › ${page.path.split('/').join(' › ')}`
      return h(
        'li',
        { role: 'option', id: `${this.#host.id}-hit-${k}`, 'data-fm-hit': String(k), 'aria-selected': String(k === this.#active) },
        sw,
        h('span', { class: 'fm-r-label' }, info.label),
        h('span', { class: 'fm-r-path' }, where),
      )
    })
    if (items.length === 0) items.push(h('li', { class: 'fm-r-empty', role: 'presentation' }, 'No node matches'))
    this.#results.replaceChildren(...items)
    this.#results.hidden = false
    this.input.setAttribute('aria-expanded', 'true')
    this.#markActive()
    this.#host.say(`${this.#hits.length} matching node${this.#hits.length === 1 ? '' : 's'}`)
  }

  /** Hides the results. */
  close(): void {
    this.#results.hidden = true
    this.input.setAttribute('aria-expanded', 'false')
    this.input.removeAttribute('aria-activedescendant')
  }

  #markActive(): void {
    this.#results.querySelectorAll('[role=option]').forEach((li, k) => li.setAttribute('aria-selected', String(k === this.#active)))
    if (this.#active >= 0) {
      this.input.setAttribute('aria-activedescendant', `${this.#host.id}-hit-${this.#active}`)
      this.#results.querySelector(`[data-fm-hit="${this.#active}"]`)?.scrollIntoView({ block: 'nearest' })
    } else this.input.removeAttribute('aria-activedescendant')
  }

  #onKey(e: KeyboardEvent): void {
    e.stopPropagation()
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (this.#hits.length === 0) return
      e.preventDefault()
      const n = this.#hits.length
      this.#active = (this.#active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n
      this.#markActive()
    } else if (e.key === 'Enter') {
      e.preventDefault()
      if (this.#active >= 0) this.#pick(this.#active)
    } else if (e.key === 'Escape') {
      if (!this.#results.hidden) {
        e.preventDefault()
        this.close()
      }
    }
  }

  #pick(k: number): void {
    const info = this.#hits[k]
    if (!info) return
    this.close()
    this.#host.pick(info)
  }
}
