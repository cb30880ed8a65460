// The <flowmark-graph> custom element: interactive viewer over the build-time SVG of `@flowmark/docs/render`.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Pan/zoom, sub-model pages, breadcrumb, history, tooltips, deep links, search, fullscreen, legend and SVG download.
// No dependencies.

interface IndexNode {
  readonly id: string
  readonly label: string
  readonly kind: string
  readonly description?: string
  readonly page?: string
  readonly state?: string
}
interface IndexPage {
  readonly path: string
  readonly title: string
  readonly kind: string
  readonly parent?: string
  readonly section: string
  readonly nodes: readonly IndexNode[]
}
interface GraphIndex {
  readonly v: number
  readonly id: string
  readonly title: string
  readonly pages: readonly IndexPage[]
}
interface Box { x: number; y: number; w: number; h: number }

/** What a node element of the SVG is, for tooltips and search (from the index, or from the SVG for foreign DOT). */
interface NodeInfo {
  readonly el: SVGGElement
  readonly page: number
  readonly label: string
  readonly kind: string
  readonly description: string
  readonly opens: number | undefined
  readonly state: string | undefined
}

const SVG_NS = 'http://www.w3.org/2000/svg'
const XLINK_NS = 'http://www.w3.org/1999/xlink'
const ZOOM_STEP = 1.25
const MIN_SCALE = 0.05
/** Px per pt below which a first (fitted) view would make labels unreadable: a larger graph opens at this scale, top left, to pan. */
const MIN_FIT_SCALE = 0.8
const MAX_SCALE = 12

const KIND_NAME: Record<string, string> = {
  data: 'data', function: 'function', dispatcher: 'sub-model', start: 'start', sink: 'sink', end: 'end', self: 'self', plot: 'plot', other: 'node',
}
const KIND_SWATCH: Record<string, string> = {
  data: 'var(--fm-data)', function: 'var(--fm-function)', dispatcher: 'var(--fm-dispatcher)', start: 'var(--fm-start)',
  sink: 'var(--fm-sink)', end: 'var(--fm-end)', self: 'var(--fm-self)', plot: 'var(--fm-plot)', other: 'var(--fm-empty)',
}

const ICONS: Record<string, string> = {
  back: '<path d="M15 18l-6-6 6-6"/>',
  forward: '<path d="M9 18l6-6-6-6"/>',
  zoomIn: '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3M8 11h6M11 8v6"/>',
  zoomOut: '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3M8 11h6"/>',
  fit: '<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/>',
  legend: '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.01"/>',
  download: '<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>',
  fullscreen: '<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5"/>',
  search: '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3"/>',
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  for (const c of children) el.append(c)
  return el
}

function icon(name: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  // The icon paths are constants of this file, never data.
  svg.innerHTML = ICONS[name] ?? ''
  return svg
}

function button(name: string, label: string, shortcut?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'fm-btn', 'aria-label': label, title: shortcut === undefined ? label : `${label} (${shortcut})`, 'data-fm-action': name })
  b.append(icon(name))
  return b
}

function parseViewBox(svg: SVGSVGElement): Box | undefined {
  const parts = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number)
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined
  const [x, y, w, h] = parts as [number, number, number, number]
  return w > 0 && h > 0 ? { x, y, w, h } : undefined
}

const Base: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (class {} as unknown as typeof HTMLElement) : HTMLElement

/**
 * `<flowmark-graph>`: enhances the static markup written by `renderPlot` (sections of SVG plus a JSON index) into an
 * explorable graph. Attributes: `id` (deep-link prefix, required for deep links), `data-fm-height` (max stage height
 * in CSS pixels, default 70% of the window). Fires `flowmark:navigate` (detail `{ path }`) when the page changes and
 * `flowmark:select` (detail `{ path, node }`) when a node is selected.
 */
export class FlowmarkGraph extends Base {
  #index: GraphIndex | undefined
  #sections: HTMLElement[] = []
  #svgs: (SVGSVGElement | undefined)[] = []
  #base: (Box | undefined)[] = []
  #views: (Box | undefined)[] = []
  /** Whether each page still shows the fitted view (then a resize fits again). */
  #fitted: boolean[] = []
  #nodes: NodeInfo[][] = []
  #byElement = new Map<Element, NodeInfo>()
  #current = 0
  #history: number[] = [0]
  #at = 0
  #selected: NodeInfo | undefined
  #viewport!: HTMLDivElement
  #crumbs!: HTMLOListElement
  #kindTag!: HTMLSpanElement
  #tooltip!: HTMLDivElement
  #legend!: HTMLDivElement
  #live!: HTMLDivElement
  #hint!: HTMLDivElement
  #input!: HTMLInputElement
  #results!: HTMLUListElement
  #buttons = new Map<string, HTMLButtonElement>()
  #hits: NodeInfo[] = []
  #hotEdges: Element[] = []
  #active = -1
  #drag: { id: number; x: number; y: number; moved: boolean; box: Box } | undefined
  #suppressClick = false
  #hintTimer = 0
  #cleanup: (() => void)[] = []
  #full = false

  /** Builds the controls once the element is in the document (idempotent). */
  connectedCallback(): void {
    if (this.hasAttribute('data-fm-enhanced')) {
      // Moved in the document: the element listeners survived, the window/document ones were removed.
      if (this.#cleanup.length === 0 && this.#index !== undefined) this.#bindGlobal()
      return
    }
    try {
      this.#enhance()
    } catch (e) {
      // Leave the static graph in place rather than a half-built viewer.
      this.removeAttribute('data-fm-enhanced')
      console.warn(`flowmark-graph #${this.id}: viewer disabled:`, e)
    }
  }

  /** Removes global listeners. */
  disconnectedCallback(): void {
    for (const f of this.#cleanup.splice(0)) f()
  }

  /** The path of the page shown. */
  get currentPath(): string {
    return this.#index?.pages[this.#current]?.path ?? ''
  }

  /** Shows the page at `path` (`''` is the root); returns false when the graph has no such page. */
  openPage(path: string): boolean {
    const i = this.#pageIndex(path)
    if (i < 0) return false
    this.#open(i, true)
    return true
  }

  /** Opens the page holding node `label` and selects it; returns false when there is no such node. */
  selectNode(path: string, label: string): boolean {
    const p = this.#pageIndex(path)
    const info = this.#nodes[p]?.find((n) => n.label === label)
    if (info === undefined) return false
    this.#open(p, true)
    this.#select(info, true)
    return true
  }

  // ---------------------------------------------------------------- setup

  #enhance(): void {
    const script = this.querySelector(':scope > script.fm-index')
    this.#sections = [...this.querySelectorAll<HTMLElement>(':scope > .fm-page')]
    if (this.#sections.length === 0) return
    let index: GraphIndex | undefined
    if (script?.textContent) index = JSON.parse(script.textContent) as GraphIndex
    this.#index = index ?? {
      v: 1, id: this.id, title: this.getAttribute('data-fm-title') ?? 'graph',
      pages: this.#sections.map((s, i) => ({ path: s.dataset.fmPath ?? String(i), title: s.getAttribute('aria-label') ?? '', kind: s.dataset.fmKind ?? 'dmap', section: s.id, nodes: [] })),
    }
    this.setAttribute('data-fm-enhanced', '')
    this.#buildChrome()
    this.#sections.forEach((section, i) => this.#prepareSection(section, i))
    this.#bindEvents()
    const start = this.#fromHash(location.hash)
    // Quiet: opening the root on load must not touch the page's URL (it may hold a heading's hash).
    if (!start) this.#open(0, false, true)
  }

  #buildChrome(): void {
    const idx = this.#index as GraphIndex
    this.#crumbs = h('ol')
    this.#kindTag = h('span', { class: 'fm-kind-tag' })
    const crumbs = h('nav', { class: 'fm-crumbs', 'aria-label': `${idx.title}: pages` }, this.#crumbs)

    this.#input = h('input', {
      type: 'search', placeholder: 'Search nodes…', 'aria-label': `Search the nodes of ${idx.title} on every page`,
      role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', autocomplete: 'off', spellcheck: 'false',
    })
    this.#results = h('ul', { class: 'fm-results', role: 'listbox', hidden: '', id: `${this.id}-results`, 'aria-label': 'Matching nodes' })
    this.#input.setAttribute('aria-controls', this.#results.id)
    const searchIcon = icon('search')
    searchIcon.classList.add('fm-search-icon')
    const search = h('div', { class: 'fm-search', role: 'search' }, searchIcon, this.#input, this.#results)

    const groups: [string, string, string?][][] = [
      [['back', 'Back', 'Alt+←'], ['forward', 'Forward', 'Alt+→']],
      [['zoomOut', 'Zoom out', '−'], ['fit', 'Fit to view', '0'], ['zoomIn', 'Zoom in', '+']],
      [['legend', 'Legend'], ['download', 'Download SVG'], ['fullscreen', 'Full screen', 'F']],
    ]
    const tools = h('div', { class: 'fm-tools' })
    for (const group of groups) {
      const g = h('div', { class: 'fm-group', role: 'group' })
      for (const [name, label, key] of group) {
        if (name === 'fullscreen' && !document.fullscreenEnabled) continue
        const b = button(name, label, key)
        this.#buttons.set(name, b)
        g.append(b)
      }
      tools.append(g)
    }
    this.#buttons.get('legend')?.setAttribute('aria-expanded', 'false')

    const bar = h('div', { class: 'fm-bar' }, crumbs, this.#kindTag, search, tools)
    this.#viewport = h('div', { class: 'fm-viewport', tabindex: '0', role: 'group', 'aria-roledescription': 'graph viewer', 'aria-label': `${idx.title}. Tab to move between nodes; Enter opens a sub-model; + and − zoom; arrows pan.` })
    this.#hint = h('div', { class: 'fm-hint', 'aria-hidden': 'true' }, `${/Mac|iP/.test(navigator.platform) ? '⌘' : 'Ctrl'} + scroll to zoom`)
    this.#tooltip = h('div', { class: 'fm-tooltip', role: 'tooltip', hidden: '', id: `${this.id}-tooltip` })
    this.#legend = this.#buildLegend()
    this.#live = h('div', { class: 'fm-live', 'aria-live': 'polite' })
    for (const s of this.#sections) this.#viewport.append(s)
    this.#viewport.append(this.#hint)
    const script = this.querySelector(':scope > script.fm-index')
    this.prepend(bar, this.#viewport, this.#tooltip, this.#legend, this.#live)
    if (script) this.append(script)
  }

  #buildLegend(): HTMLDivElement {
    const rows: [string, string, string, string?][] = [
      ['Data', 'var(--fm-data)', '5px', 'var(--fm-data-line)'],
      ['Function', 'var(--fm-function)', '0', 'var(--fm-function-line)'],
      ['Sub-model (click to open)', 'var(--fm-dispatcher)', '0 6px 0 0', 'var(--fm-dispatcher-line)'],
      ['Sub-model function', 'var(--fm-sdf)', '0 6px 0 0'],
      ['Start: where inputs enter', 'var(--fm-start)', '50%'],
      ['Sink: unused outputs', 'var(--fm-sink)', '50%'],
      ['End: sub-model outputs', 'var(--fm-end)', '50%'],
      ['Self', 'var(--fm-self)', '50%'],
      ['Missing inputs/outputs', 'var(--fm-warning)', '0', 'var(--fm-warning-line)'],
      ['Failed', 'var(--fm-error)', '0', 'var(--fm-error-line)'],
    ]
    const ul = h('ul')
    for (const [label, fill, radius, line] of rows) {
      const sw = h('span', { class: 'fm-sw', 'aria-hidden': 'true' })
      sw.style.background = fill
      sw.style.borderRadius = radius
      sw.style.borderColor = line ?? 'var(--fm-rule)'
      ul.append(h('li', {}, sw, label))
    }
    const panel = h('div', { class: 'fm-legend', hidden: '', role: 'dialog', 'aria-label': 'Legend', id: `${this.id}-legend` },
      h('h2', {}, 'Legend'), ul,
      h('p', {}, 'Arrows show data flowing into functions and out to their outputs. Tooltips give descriptions.'))
    this.#buttons.get('legend')?.setAttribute('aria-controls', panel.id)
    return panel
  }

  #prepareSection(section: HTMLElement, i: number): void {
    const svg = section.querySelector<SVGSVGElement>('svg.fm-svg') ?? undefined
    this.#svgs[i] = svg
    this.#nodes[i] = []
    if (svg === undefined) return
    this.#base[i] = parseViewBox(svg)
    svg.dataset.fmWidth = svg.getAttribute('width') ?? ''
    svg.dataset.fmHeight = svg.getAttribute('height') ?? ''
    svg.setAttribute('width', '100%')
    svg.setAttribute('height', '100%')
    // Nodes become the tab stops: the SVG is a group of focusable buttons, not a single picture any more.
    svg.setAttribute('role', 'group')
    const page = this.#index?.pages[i]
    for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
      const k = g.getAttribute('data-fm-node')
      const entry = k === null ? undefined : page?.nodes[Number(k)]
      const titleEl = g.querySelector(':scope > title')
      let description = entry?.description ?? ''
      for (const a of g.querySelectorAll('a')) {
        const tip = a.getAttributeNS(XLINK_NS, 'title') ?? a.getAttribute('title')
        if (tip !== null && description === '' && entry === undefined) description = tip.replace(/^"(.*)"$/s, '$1')
        a.removeAttributeNS(XLINK_NS, 'title')
        a.removeAttribute('title')
        a.setAttribute('tabindex', '-1')
      }
      const label = entry?.label ?? titleEl?.textContent ?? ''
      titleEl?.remove()
      const opens = entry?.page === undefined ? undefined : this.#pageIndex(entry.page)
      const info: NodeInfo = { el: g, page: i, label, kind: entry?.kind ?? 'other', description, opens: opens !== undefined && opens >= 0 ? opens : undefined, state: entry?.state }
      this.#nodes[i]?.push(info)
      this.#byElement.set(g, info)
      g.setAttribute('tabindex', '0')
      g.setAttribute('role', 'button')
      if (!g.hasAttribute('aria-label')) g.setAttribute('aria-label', description ? `${label}: ${description}` : label)
    }
  }

  #bindEvents(): void {
    const on = <T extends Event>(target: EventTarget, type: string, fn: (e: T) => void, opts?: AddEventListenerOptions): void => {
      target.addEventListener(type, fn as EventListener, opts)
    }
    on<MouseEvent>(this, 'click', (e) => this.#onClick(e))
    on<KeyboardEvent>(this, 'keydown', (e) => this.#onKey(e))
    on<WheelEvent>(this.#viewport, 'wheel', (e) => this.#onWheel(e), { passive: false })
    on<PointerEvent>(this.#viewport, 'pointerdown', (e) => this.#onPointerDown(e))
    on<PointerEvent>(this.#viewport, 'pointermove', (e) => this.#onPointerMove(e))
    on<PointerEvent>(this.#viewport, 'pointerup', (e) => this.#onPointerUp(e))
    on<PointerEvent>(this.#viewport, 'pointercancel', (e) => this.#onPointerUp(e))
    on<MouseEvent>(this.#viewport, 'dblclick', (e) => { if (!this.#nodeOf(e.target)) this.#fit() })
    on<PointerEvent>(this.#viewport, 'pointerover', (e) => { const n = this.#nodeOf(e.target); if (n && !this.#drag?.moved) this.#showTip(n) })
    on<PointerEvent>(this.#viewport, 'pointerout', (e) => { const n = this.#nodeOf(e.target); if (n && !n.el.contains(e.relatedTarget as Node | null)) this.#hideTip() })
    on<FocusEvent>(this.#viewport, 'focusin', (e) => { const n = this.#nodeOf(e.target); if (n) { this.#showTip(n); this.#reveal(n) } })
    on<FocusEvent>(this.#viewport, 'focusout', () => this.#hideTip())
    on<Event>(this.#input, 'input', () => this.#search(this.#input.value))
    // Keep the focus in the search box while a result is pressed, so the list stays open until the click.
    on<PointerEvent>(this.#results, 'pointerdown', (e) => e.preventDefault())
    on<MouseEvent>(this.#results, 'mousedown', (e) => e.preventDefault())
    on<FocusEvent>(this.#input, 'focus', () => { if (this.#input.value) this.#search(this.#input.value) })
    on<FocusEvent>(this, 'focusout', (e) => {
      if (!this.querySelector('.fm-search')?.contains(e.relatedTarget as Node | null)) this.#closeResults()
    })
    this.#bindGlobal()
  }

  /** Listeners on `window` and `document`: removed when the element leaves the document, added again on return. */
  #bindGlobal(): void {
    const on = (target: EventTarget, type: string, fn: () => void): void => {
      target.addEventListener(type, fn)
      this.#cleanup.push(() => target.removeEventListener(type, fn))
    }
    on(window, 'hashchange', () => { this.#fromHash(location.hash) })
    on(window, 'resize', () => {
      this.#sizeStage()
      if (this.#fitted[this.#current]) this.#fit()
    })
    on(document, 'fullscreenchange', () => {
      const full = document.fullscreenElement === this
      if (!full && !this.#full) return
      this.#full = full
      this.#buttons.get('fullscreen')?.setAttribute('aria-pressed', String(full))
      this.#sizeStage()
      this.#fit()
    })
  }

  // ---------------------------------------------------------------- pages and history

  #pageIndex(path: string): number {
    return this.#index?.pages.findIndex((p) => p.path === path) ?? -1
  }

  #open(i: number, push: boolean, quiet = false): void {
    const idx = this.#index as GraphIndex
    const page = idx.pages[i]
    if (page === undefined) return
    if (push && i !== this.#current) {
      this.#history.splice(this.#at + 1)
      this.#history.push(i)
      this.#at = this.#history.length - 1
    }
    this.#hideTip()
    this.#sections.forEach((s, k) => { s.hidden = k !== i })
    this.#current = i
    this.#renderCrumbs()
    this.#kindTag.textContent = page.kind
    this.#sizeStage()
    if (this.#views[i] === undefined) this.#fit()
    else this.#apply(i)
    this.#updateButtons()
    if (quiet) return
    this.#say(`Opened ${page.title} (${page.kind}), ${this.#nodes[i]?.length ?? 0} nodes`)
    if (this.id) this.#setHash(`${this.id}:${encodeURIComponent(page.path)}`)
    this.dispatchEvent(new CustomEvent('flowmark:navigate', { detail: { path: page.path }, bubbles: true }))
  }

  #go(delta: number): void {
    const at = this.#at + delta
    const target = this.#history[at]
    if (target === undefined) return
    this.#at = at
    this.#open(target, false)
  }

  #renderCrumbs(): void {
    const idx = this.#index as GraphIndex
    const chain: number[] = []
    for (let p: IndexPage | undefined = idx.pages[this.#current]; p !== undefined && chain.length < 64;) {
      chain.unshift(idx.pages.indexOf(p))
      p = p.parent === undefined ? undefined : idx.pages.find((q) => q.path === p?.parent)
    }
    this.#crumbs.replaceChildren(...chain.map((k, n) => {
      const page = idx.pages[k] as IndexPage
      const name = k === 0 ? idx.title : page.title
      if (n === chain.length - 1) return h('li', {}, h('span', { 'aria-current': 'page', title: name }, name))
      const b = h('button', { type: 'button', 'data-fm-crumb': String(k), title: `Open ${name}` }, name)
      return h('li', {}, b)
    }))
  }

  #updateButtons(): void {
    const back = this.#buttons.get('back'), fwd = this.#buttons.get('forward')
    if (back) back.disabled = this.#at <= 0
    if (fwd) fwd.disabled = this.#at >= this.#history.length - 1
  }

  #setHash(hash: string): void {
    if (location.hash.slice(1) === hash) return
    try {
      history.replaceState(history.state, '', `#${hash}`)
    } catch { /* sandboxed documents may refuse */ }
  }

  /** Applies `#<id>:<page>[:<node>]` or `#<section id>`; returns whether the hash was for this graph. */
  #fromHash(hash: string): boolean {
    const idx = this.#index
    if (!idx || !this.id || hash.length < 2) return false
    let raw: string
    try { raw = decodeURIComponent(hash.slice(1)) } catch { return false }
    const section = this.#sections.findIndex((s) => s.id === raw)
    if (section >= 0) { this.#open(section, true); return true }
    const body = hash.slice(1)
    if (!body.startsWith(`${this.id}:`)) return false
    const [pagePart = '', ...rest] = body.slice(this.id.length + 1).split(':')
    const nodePart = rest.length === 0 ? undefined : rest.join(':')
    let path: string, node: string | undefined
    try {
      path = decodeURIComponent(pagePart)
      node = nodePart === undefined ? undefined : decodeURIComponent(nodePart)
    } catch { return false }
    const p = this.#pageIndex(path)
    if (p < 0) return false
    if (p !== this.#current || this.#sections[p]?.hidden !== false) this.#open(p, true)
    if (node !== undefined) {
      const info = this.#nodes[p]?.find((n) => n.label === node)
      if (info) {
        this.#select(info, true)
        this.scrollIntoView({ block: 'nearest' })
      }
    }
    return true
  }

  // ---------------------------------------------------------------- selection, tooltips

  #nodeOf(target: EventTarget | null): NodeInfo | undefined {
    const el = target instanceof Element ? target.closest('g.node') : null
    return el ? this.#byElement.get(el) : undefined
  }

  #select(info: NodeInfo, reveal: boolean): void {
    this.#selected?.el.classList.remove('fm-selected')
    this.#selected = info
    // Restart the pulse animation.
    info.el.classList.remove('fm-selected')
    void info.el.getBoundingClientRect()
    info.el.classList.add('fm-selected')
    this.#hot(undefined)
    if (reveal) this.#reveal(info)
    const path = this.#index?.pages[info.page]?.path ?? ''
    if (this.id) this.#setHash(`${this.id}:${encodeURIComponent(path)}:${encodeURIComponent(info.label)}`)
    this.#say(`Selected ${KIND_NAME[info.kind] ?? 'node'} ${info.label}`)
    this.dispatchEvent(new CustomEvent('flowmark:select', { detail: { path, node: info.label }, bubbles: true }))
  }

  #activate(info: NodeInfo, viaKeyboard: boolean): void {
    if (info.opens !== undefined) {
      this.#open(info.opens, true)
      if (viaKeyboard) this.#nodes[info.opens]?.[0]?.el.focus({ preventScroll: true })
      return
    }
    this.#select(info, false)
    if (viaKeyboard) this.#showTip(info)
  }

  /** Marks the edges into and out of `info` (or of the selected node, when `info` is undefined). */
  #hot(info: NodeInfo | undefined): void {
    for (const el of this.#hotEdges) el.classList.remove('fm-hot')
    this.#hotEdges = []
    const target = info ?? (this.#selected?.page === this.#current ? this.#selected : undefined)
    const k = target?.el.getAttribute('data-fm-node')
    const svg = this.#svgs[this.#current]
    if (target === undefined || k === null || k === undefined || svg === undefined) return
    this.#hotEdges = [...svg.querySelectorAll(`g.edge[data-fm-from="${k}"], g.edge[data-fm-to="${k}"]`)]
    for (const el of this.#hotEdges) el.classList.add('fm-hot')
  }

  #showTip(info: NodeInfo): void {
    this.#hot(info)
    const tip = this.#tooltip
    const swatch = h('span', { class: 'fm-swatch', 'aria-hidden': 'true' })
    swatch.style.background = info.state === 'error' ? 'var(--fm-error)' : info.state === 'missing' ? 'var(--fm-warning)' : (KIND_SWATCH[info.kind] ?? 'var(--fm-empty)')
    const head = h('div', { class: 'fm-t-head' }, swatch, h('span', {}, info.label), h('span', { class: 'fm-t-kind' }, KIND_NAME[info.kind] ?? 'node'))
    const parts: Node[] = [head]
    if (info.description) parts.push(h('div', { class: 'fm-t-desc' }, info.description))
    if (info.state === 'error') parts.push(h('div', { class: 'fm-t-desc' }, 'This node failed in the dispatch.'))
    else if (info.state === 'missing') parts.push(h('div', { class: 'fm-t-desc' }, 'Some inputs or outputs were not reached.'))
    if (info.opens !== undefined) parts.push(h('div', { class: 'fm-t-hint' }, 'Click or press Enter to open its graph'))
    tip.replaceChildren(...parts)
    tip.hidden = false
    const host = this.getBoundingClientRect()
    const r = info.el.getBoundingClientRect()
    const tw = tip.offsetWidth, th = tip.offsetHeight
    let left = r.left - host.left + r.width / 2 - tw / 2
    left = Math.max(6, Math.min(left, host.width - tw - 6))
    let top = r.bottom - host.top + 8
    if (top + th > host.height - 4) top = r.top - host.top - th - 8
    tip.style.left = `${Math.round(left)}px`
    tip.style.top = `${Math.round(Math.max(4, top))}px`
  }

  #hideTip(): void {
    this.#tooltip.hidden = true
    this.#hot(undefined)
  }

  #say(text: string): void {
    this.#live.textContent = text
  }

  // ---------------------------------------------------------------- pan and zoom

  #sizeStage(): void {
    const i = this.#current
    const section = this.#sections[i]
    const stage = section?.querySelector<HTMLElement>('.fm-stage')
    if (!section || !stage) return
    if (document.fullscreenElement === this) {
      const bar = this.querySelector<HTMLElement>('.fm-bar')
      stage.style.height = `${Math.max(200, window.innerHeight - (bar?.offsetHeight ?? 0))}px`
      return
    }
    const w = Number(section.dataset.fmWidth) || this.#base[i]?.w || 600
    const hgt = Number(section.dataset.fmHeight) || this.#base[i]?.h || 400
    const avail = Math.max(200, this.#viewport.clientWidth || this.clientWidth || w)
    const natural = hgt * Math.max(MIN_FIT_SCALE, Math.min(1, avail / w)) + 24
    const limit = Number(this.dataset.fmHeight) || Math.round(window.innerHeight * 0.7)
    stage.style.height = `${Math.round(Math.max(180, Math.min(natural, limit)))}px`
  }

  #fit(): void {
    const i = this.#current
    const base = this.#base[i]
    if (!base) return
    const pad = Math.max(base.w, base.h) * 0.02
    const w = base.w + 2 * pad, hgt = base.h + 2 * pad
    const svg = this.#svgs[i]
    const sw = svg?.clientWidth ?? 0, sh = svg?.clientHeight ?? 0
    // Fit, but never enlarge past the natural size (1 pt = 4/3 px): a two-node graph stays small and centred.
    // Nor shrink it below MIN_FIT_SCALE: a graph too big for that opens on its top left, to pan and zoom from.
    const fitted = sw > 0 && sh > 0 ? Math.min(sw / w, sh / hgt, 4 / 3) : 0
    const scale = fitted > 0 ? Math.max(fitted, MIN_FIT_SCALE) : 0
    const vw = scale > 0 ? sw / scale : w, vh = scale > 0 ? sh / scale : hgt
    // Too big: start where reading starts, at the top left.
    const top = scale > fitted && vh < hgt ? base.y - pad : base.y + base.h / 2 - vh / 2
    const left = scale > fitted && vw < w ? base.x - pad : base.x + base.w / 2 - vw / 2
    this.#views[i] = { x: left, y: top, w: vw, h: vh }
    // Marks a page opened larger than its stage (the reader pans to see the rest).
    this.#sections[i]?.toggleAttribute('data-fm-overflow', scale > fitted)
    this.#apply(i)
    this.#fitted[i] = true
  }

  #apply(i: number): void {
    const v = this.#views[i], svg = this.#svgs[i]
    if (!v || !svg) return
    svg.setAttribute('viewBox', `${v.x.toFixed(2)} ${v.y.toFixed(2)} ${v.w.toFixed(2)} ${v.h.toFixed(2)}`)
  }

  /** Client point → SVG user coordinates of the current page. */
  #toSvg(clientX: number, clientY: number): DOMPoint | undefined {
    const svg = this.#svgs[this.#current]
    const m = svg?.getScreenCTM()
    if (!svg || !m) return undefined
    return new DOMPoint(clientX, clientY).matrixTransform(m.inverse())
  }

  #zoom(factor: number, clientX?: number, clientY?: number): void {
    const i = this.#current
    const v = this.#views[i], base = this.#base[i], svg = this.#svgs[i]
    if (!v || !base || !svg) return
    const scale = base.w / v.w
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor))
    const k = next / scale
    if (k === 1) return
    const rect = svg.getBoundingClientRect()
    const p = this.#toSvg(clientX ?? rect.left + rect.width / 2, clientY ?? rect.top + rect.height / 2)
    const px = p?.x ?? v.x + v.w / 2, py = p?.y ?? v.y + v.h / 2
    this.#views[i] = { x: px - (px - v.x) / k, y: py - (py - v.y) / k, w: v.w / k, h: v.h / k }
    this.#apply(i)
    this.#fitted[i] = false
  }

  #pan(dxClient: number, dyClient: number, from?: Box): void {
    const i = this.#current
    const v = from ?? this.#views[i], svg = this.#svgs[i]
    const m = svg?.getScreenCTM()
    if (!v || !m) return
    this.#views[i] = { x: v.x - dxClient / m.a, y: v.y - dyClient / m.d, w: v.w, h: v.h }
    this.#apply(i)
    this.#fitted[i] = false
  }

  /** Pans so `info` is inside the view (centred when `centre` or when it is outside). */
  #reveal(info: NodeInfo, centre = false): void {
    const i = info.page
    const svg = this.#svgs[i], v = this.#views[i]
    if (!svg || !v || i !== this.#current) return
    const r = info.el.getBoundingClientRect()
    const vp = svg.getBoundingClientRect()
    const inside = r.left >= vp.left && r.right <= vp.right && r.top >= vp.top && r.bottom <= vp.bottom
    if (inside && !centre) return
    const c = this.#toSvg(r.left + r.width / 2, r.top + r.height / 2)
    if (!c) return
    this.#views[i] = { x: c.x - v.w / 2, y: c.y - v.h / 2, w: v.w, h: v.h }
    this.#apply(i)
    this.#fitted[i] = false
  }

  #onWheel(e: WheelEvent): void {
    if (!(e.ctrlKey || e.metaKey)) {
      // Plain wheel scrolls the page: never trap it. Say how to zoom instead.
      this.#hint.classList.add('fm-show')
      clearTimeout(this.#hintTimer)
      this.#hintTimer = window.setTimeout(() => this.#hint.classList.remove('fm-show'), 1200)
      return
    }
    e.preventDefault()
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY
    this.#zoom(Math.exp(-dy / 300), e.clientX, e.clientY)
  }

  #onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.#views[this.#current]) return
    this.#drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false, box: { ...(this.#views[this.#current] as Box) } }
  }

  #onPointerMove(e: PointerEvent): void {
    const d = this.#drag
    if (!d || d.id !== e.pointerId) return
    const dx = e.clientX - d.x, dy = e.clientY - d.y
    if (!d.moved && Math.hypot(dx, dy) < 4) return
    if (!d.moved) {
      d.moved = true
      this.#viewport.classList.add('fm-dragging')
      this.#viewport.setPointerCapture(e.pointerId)
      this.#hideTip()
    }
    this.#pan(dx, dy, d.box)
  }

  #onPointerUp(e: PointerEvent): void {
    const d = this.#drag
    if (!d || d.id !== e.pointerId) return
    this.#drag = undefined
    if (d.moved) {
      this.#suppressClick = true
      setTimeout(() => { this.#suppressClick = false }, 0)
      this.#viewport.classList.remove('fm-dragging')
      if (this.#viewport.hasPointerCapture(e.pointerId)) this.#viewport.releasePointerCapture(e.pointerId)
    }
  }

  // ---------------------------------------------------------------- input

  #onClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target : null
    if (!target) return
    if (this.#suppressClick && this.#viewport.contains(target)) { e.preventDefault(); return }
    const action = target.closest<HTMLElement>('[data-fm-action]')?.dataset.fmAction
    if (action) { this.#action(action); return }
    const crumb = target.closest<HTMLElement>('[data-fm-crumb]')
    if (crumb) {
      this.#open(Number(crumb.dataset.fmCrumb), true)
      // The crumb button is rebuilt: keep the focus inside the viewer.
      this.#viewport.focus({ preventScroll: true })
      return
    }
    const option = target.closest<HTMLElement>('[data-fm-hit]')
    if (option) { this.#pick(Number(option.dataset.fmHit)); return }
    const node = this.#nodeOf(target)
    if (node) {
      const link = target.closest('a')
      const href = link?.getAttributeNS(XLINK_NS, 'href') ?? link?.getAttribute('href') ?? null
      if (node.opens !== undefined || href === null || href.startsWith('#')) {
        e.preventDefault()
        this.#activate(node, false)
      }
      return
    }
    if (!this.#legend.hidden && !this.#legend.contains(target)) this.#toggleLegend(false)
  }

  #action(name: string): void {
    switch (name) {
      case 'back': this.#go(-1); break
      case 'forward': this.#go(1); break
      case 'zoomIn': this.#zoom(ZOOM_STEP); break
      case 'zoomOut': this.#zoom(1 / ZOOM_STEP); break
      case 'fit': this.#fit(); break
      case 'legend': this.#toggleLegend(); break
      case 'download': this.#download(); break
      case 'fullscreen': this.#toggleFullscreen(); break
    }
  }

  #onKey(e: KeyboardEvent): void {
    const target = e.target instanceof Element ? e.target : null
    if (target === this.#input) { this.#onSearchKey(e); return }
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) { e.preventDefault(); this.#go(e.key === 'ArrowLeft' ? -1 : 1); return }
    if (e.key === 'Escape') {
      if (!this.#legend.hidden) { this.#toggleLegend(false); return }
      this.#hideTip()
      return
    }
    if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); this.#input.focus(); return }
    if (!target || !this.#viewport.contains(target)) return
    const node = this.#nodeOf(target)
    if (node && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); this.#activate(node, true); return }
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const step = 60
    switch (e.key) {
      case '+': case '=': e.preventDefault(); this.#zoom(ZOOM_STEP); break
      case '-': case '_': e.preventDefault(); this.#zoom(1 / ZOOM_STEP); break
      case '0': e.preventDefault(); this.#fit(); break
      case 'f': case 'F': if (document.fullscreenEnabled) { e.preventDefault(); this.#toggleFullscreen() } break
      case 'ArrowLeft': if (!node) { e.preventDefault(); this.#pan(step, 0) } break
      case 'ArrowRight': if (!node) { e.preventDefault(); this.#pan(-step, 0) } break
      case 'ArrowUp': if (!node) { e.preventDefault(); this.#pan(0, step) } break
      case 'ArrowDown': if (!node) { e.preventDefault(); this.#pan(0, -step) } break
      case 'Backspace': {
        const parent = this.#index?.pages[this.#current]?.parent
        if (parent !== undefined) { e.preventDefault(); this.openPage(parent) }
        break
      }
    }
  }

  // ---------------------------------------------------------------- search

  #search(query: string): void {
    const q = query.trim().toLowerCase()
    if (q === '') { this.#closeResults(); return }
    const hits: { info: NodeInfo; rank: number }[] = []
    this.#nodes.forEach((list) => list.forEach((info) => {
      const name = info.label.toLowerCase()
      const at = name.indexOf(q)
      if (at >= 0) hits.push({ info, rank: at === 0 ? (name === q ? 0 : 1) : 2 })
      else if (info.description.toLowerCase().includes(q)) hits.push({ info, rank: 3 })
    }))
    hits.sort((a, b) => a.rank - b.rank)
    this.#hits = hits.slice(0, 50).map((x) => x.info)
    this.#active = this.#hits.length > 0 ? 0 : -1
    const idx = this.#index as GraphIndex
    const items = this.#hits.map((info, k) => {
      const sw = h('span', { class: 'fm-swatch', 'aria-hidden': 'true' })
      sw.style.background = KIND_SWATCH[info.kind] ?? 'var(--fm-empty)'
      const page = idx.pages[info.page] as IndexPage
      const where = info.page === 0 ? idx.title : `${idx.title} › ${page.path.split('/').join(' › ')}`
      return h('li', { role: 'option', id: `${this.id}-hit-${k}`, 'data-fm-hit': String(k), 'aria-selected': String(k === this.#active) },
        sw, h('span', { class: 'fm-r-label' }, info.label), h('span', { class: 'fm-r-path' }, where))
    })
    if (items.length === 0) items.push(h('li', { class: 'fm-r-empty', role: 'presentation' }, 'No node matches'))
    this.#results.replaceChildren(...items)
    this.#results.hidden = false
    this.#input.setAttribute('aria-expanded', 'true')
    this.#markActive()
    this.#say(`${this.#hits.length} matching node${this.#hits.length === 1 ? '' : 's'}`)
  }

  #markActive(): void {
    this.#results.querySelectorAll('[role=option]').forEach((li, k) => li.setAttribute('aria-selected', String(k === this.#active)))
    if (this.#active >= 0) {
      this.#input.setAttribute('aria-activedescendant', `${this.id}-hit-${this.#active}`)
      this.#results.querySelector(`[data-fm-hit="${this.#active}"]`)?.scrollIntoView({ block: 'nearest' })
    } else this.#input.removeAttribute('aria-activedescendant')
  }

  #onSearchKey(e: KeyboardEvent): void {
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
      if (!this.#results.hidden) { e.preventDefault(); this.#closeResults() }
    }
  }

  #pick(k: number): void {
    const info = this.#hits[k]
    if (!info) return
    this.#closeResults()
    if (info.page !== this.#current) this.#open(info.page, true)
    this.#select(info, true)
    info.el.focus({ preventScroll: true })
  }

  #closeResults(): void {
    this.#results.hidden = true
    this.#input.setAttribute('aria-expanded', 'false')
    this.#input.removeAttribute('aria-activedescendant')
  }

  // ---------------------------------------------------------------- legend, download, fullscreen

  #toggleLegend(force?: boolean): void {
    const show = force ?? this.#legend.hidden
    this.#legend.hidden = !show
    const b = this.#buttons.get('legend')
    b?.setAttribute('aria-expanded', String(show))
    b?.setAttribute('aria-pressed', String(show))
  }

  #download(): void {
    const svg = this.#svgs[this.#current]
    if (!svg) return
    const copy = svg.cloneNode(true) as SVGSVGElement
    const base = this.#base[this.#current]
    if (base) copy.setAttribute('viewBox', `${base.x} ${base.y} ${base.w} ${base.h}`)
    copy.setAttribute('width', svg.dataset.fmWidth ?? '')
    copy.setAttribute('height', svg.dataset.fmHeight ?? '')
    copy.removeAttribute('data-fm-width')
    copy.removeAttribute('data-fm-height')
    copy.setAttribute('xmlns', SVG_NS)
    copy.setAttribute('xmlns:xlink', XLINK_NS)
    copy.querySelectorAll('.fm-selected').forEach((el) => el.classList.remove('fm-selected'))
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }))
    const page = this.#index?.pages[this.#current]
    const name = `${this.#index?.title ?? 'graph'}${page?.path ? `-${page.path}` : ''}`.replace(/[^\w.-]+/g, '_')
    const a = h('a', { href: url, download: `${name}.svg` })
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }

  #toggleFullscreen(): void {
    if (document.fullscreenElement === this) void document.exitFullscreen().catch(() => undefined)
    else void this.requestFullscreen().catch(() => undefined)
  }
}

if (typeof customElements !== 'undefined' && customElements.get('flowmark-graph') === undefined) {
  customElements.define('flowmark-graph', FlowmarkGraph)
}
