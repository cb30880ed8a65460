// The <flowmark-graph> custom element: interactive viewer over the build-time SVG of `@flowmark/docs/render`.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// This file wires the parts together (pages, history, selection, focus, toolbar actions); pan-zoom.ts, search.ts,
// hash-route.ts, tooltip.ts, keyboard.ts, toolbar.ts, nodes.ts and download.ts hold the rest. No dependencies; the browser gets
// one minified file (bundled by `@flowmark/docs/render`'s viewerScript()).
import { downloadSvg } from './download.ts'
import { h, KIND_NAME, parseViewBox, XLINK_NS } from './dom.ts'
import { deepLink, parseRoute, routeHash, setHash } from './hash-route.ts'
import { arrowDirection, nearestNode, readingOrder, rove } from './keyboard.ts'
import { readNodes } from './nodes.ts'
import { PanZoom } from './pan-zoom.ts'
import { NodeSearch } from './search.ts'
import { buildLegend, buildToolbar, renderCrumbs, type Toolbar } from './toolbar.ts'
import { Tooltip } from './tooltip.ts'
import type { GraphIndex, IndexPage, NodeInfo } from './types.ts'

export type { GraphIndex, IndexNode, IndexPage, NodeInfo } from './types.ts'

const ZOOM_STEP = 1.25
const PAN_STEP = 60
/** Px per pt at which labels stay readable (12 pt text at 9.6 px): below it a tall drawing opens at its full width, from the top. */
const READABLE_SCALE = 0.8

const Base: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (class {} as unknown as typeof HTMLElement) : HTMLElement

/**
 * `<flowmark-graph>`: enhances the static markup written by `renderPlot` (sections of SVG plus a JSON index) into an
 * explorable graph. Attributes: `id` (deep-link prefix, required for deep links), `data-fm-height` (max stage height
 * in CSS pixels, default 70% of the window). Fires `flowmark:navigate` (detail `{ path }`) when the page changes and
 * `flowmark:select` (detail `{ path, node }`) when a node is selected.
 *
 * Input: mouse drag, Ctrl+wheel, touch (horizontal swipe pans, pinch zooms; a tap makes every one-finger swipe pan until
 * a tap outside), keyboard (the graph is one tab stop; arrows move between nodes as drawn, Shift+arrows pan, + − 0 zoom,
 * Enter opens a sub-model, Backspace goes up and puts the focus back on the sub-model node).
 */
export class FlowmarkGraph extends Base {
  #index: GraphIndex | undefined
  #sections: HTMLElement[] = []
  #svgs: (SVGSVGElement | undefined)[] = []
  #nodes: NodeInfo[][] = []
  /** The node of each page that Tab reaches (roving tabindex). */
  #roving: (NodeInfo | undefined)[] = []
  #byElement = new Map<Element, NodeInfo>()
  #current = 0
  #history: number[] = [0]
  #at = 0
  #selected: NodeInfo | undefined
  #viewport!: HTMLDivElement
  #toolbar!: Toolbar
  #legend!: HTMLDivElement
  #live!: HTMLDivElement
  #hintEl!: HTMLDivElement
  #after!: HTMLSpanElement
  #tooltip!: Tooltip
  #search!: NodeSearch
  #pz!: PanZoom
  #hotEdges: Element[] = []
  #hintTimer = 0
  #cleanup: (() => void)[] = []
  #full = false
  /** Whether the last input was a key (then page changes move the focus along; pointer users keep theirs). */
  #keyboard = false

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
      v: 1,
      id: this.id,
      title: this.getAttribute('data-fm-title') ?? 'graph',
      pages: this.#sections.map((s, i) => ({
        path: s.dataset.fmPath ?? String(i),
        title: s.getAttribute('aria-label') ?? '',
        kind: s.dataset.fmKind ?? 'dmap',
        section: s.id,
        nodes: [],
      })),
    }
    this.setAttribute('data-fm-enhanced', '')
    this.#buildChrome()
    this.#pz = new PanZoom({
      viewport: this.#viewport,
      current: () => this.#current,
      svg: (i) => this.#svgs[i],
      gestureStarted: () => this.#hideTip(),
      tapped: () => this.#setActive(true),
      hint: (text) => this.#hint(text),
      touchOwned: () => this.#full || this.hasAttribute('data-fm-active'),
    })
    this.#sections.forEach((section, i) => this.#prepareSection(section, i))
    this.#bindEvents()
    const start = this.#fromHash(location.hash)
    // Quiet: opening the root on load must not touch the page's URL (it may hold a heading's hash).
    if (!start) this.#open(0, false, true)
  }

  #buildChrome(): void {
    const idx = this.#index as GraphIndex
    this.#search = new NodeSearch({
      id: this.id,
      index: idx,
      nodes: () => this.#nodes,
      say: (t) => this.#say(t),
      pick: (info) => this.#goToNode(info, true),
    })
    this.#toolbar = buildToolbar(this.id, idx, this.#search.root)
    this.#viewport = h('div', {
      class: 'fm-viewport',
      tabindex: '-1',
      role: 'group',
      'aria-roledescription': 'graph',
      'aria-label': `${idx.title}. Arrow keys move between nodes, Enter opens a sub-model, Backspace goes back up; + and − zoom, Shift+arrows pan.`,
    })
    this.#hintEl = h('div', { class: 'fm-hint', 'aria-hidden': 'true' })
    this.#tooltip = new Tooltip(this.id)
    this.#legend = buildLegend(this.id)
    this.#toolbar.buttons.get('legend')?.setAttribute('aria-controls', this.#legend.id)
    this.#toolbar.buttons.get('legend')?.setAttribute('aria-expanded', 'false')
    this.#live = h('div', { class: 'fm-live', 'aria-live': 'polite' })
    for (const s of this.#sections) this.#viewport.append(s)
    this.#viewport.append(this.#hintEl)
    const main = h('div', { class: 'fm-main' }, this.#viewport, this.#legend)
    const skip = h('a', { class: 'fm-skip', href: `#${this.id}-after` }, `Skip graph ${idx.title}`)
    this.#after = h('span', { class: 'fm-after', id: `${this.id}-after`, tabindex: '-1' })
    skip.addEventListener('click', (e) => {
      e.preventDefault()
      this.#after.focus()
    })
    const script = this.querySelector(':scope > script.fm-index')
    this.prepend(skip, this.#toolbar.bar, main, this.#tooltip.el, this.#live)
    if (script) this.append(script)
    this.append(this.#after)
  }

  #prepareSection(section: HTMLElement, i: number): void {
    // A group, not a `region` landmark: several graphs of one model on a page would repeat the same name.
    section.setAttribute('role', 'group')
    const svg = section.querySelector<SVGSVGElement>('svg.fm-svg') ?? undefined
    this.#svgs[i] = svg
    this.#nodes[i] = []
    if (svg === undefined) return
    this.#pz.setBase(i, parseViewBox(svg))
    svg.dataset.fmWidth = svg.getAttribute('width') ?? ''
    svg.dataset.fmHeight = svg.getAttribute('height') ?? ''
    svg.setAttribute('width', '100%')
    svg.setAttribute('height', '100%')
    // The nodes are the graph's controls: the SVG is a group of buttons, not a single picture any more.
    svg.setAttribute('role', 'group')
    this.#nodes[i] = readNodes(svg, i, this.#index?.pages[i], (path) => this.#pageIndex(path))
    for (const info of this.#nodes[i] ?? []) this.#byElement.set(info.el, info)
  }

  #bindEvents(): void {
    this.#pz.attach()
    this.addEventListener('click', (e) => this.#onClick(e))
    this.addEventListener('keydown', (e) => this.#onKey(e))
    this.addEventListener('pointerdown', () => {
      this.#keyboard = false
    })
    const vp = this.#viewport
    vp.addEventListener('dblclick', (e) => {
      if (!this.#nodeOf(e.target)) this.#pz.fit()
    })
    vp.addEventListener('pointerover', (e) => {
      const n = this.#nodeOf(e.target)
      if (n && !this.#pz.dragging && e.pointerType === 'mouse') this.#showTip(n)
    })
    vp.addEventListener('pointerout', (e) => {
      const n = this.#nodeOf(e.target)
      if (n && !n.el.contains(e.relatedTarget as Node | null)) this.#hideTip()
    })
    vp.addEventListener('focusin', (e) => {
      const n = this.#nodeOf(e.target)
      if (!n) return
      this.#roving[n.page] = n
      rove(this.#nodes[n.page] ?? [], n)
      this.#showTip(n)
      this.#pz.reveal(n.page, n.el)
    })
    vp.addEventListener('focusout', () => this.#hideTip())
    this.#toolbar.menu.addEventListener('focusout', (e) => {
      const to = e.relatedTarget as Node | null
      if (to !== null && !this.#toolbar.menu.contains(to) && to !== this.#toolbar.buttons.get('more')) this.#toggleMenu(false)
    })
    this.#bindGlobal()
  }

  /** Listeners on `window` and `document`: removed when the element leaves the document, added again on return. */
  #bindGlobal(): void {
    const on = <E extends Event>(target: EventTarget, type: string, fn: (e: E) => void, capture = false): void => {
      const listener = fn as EventListener
      target.addEventListener(type, listener, capture)
      this.#cleanup.push(() => target.removeEventListener(type, listener, capture))
    }
    on(window, 'hashchange', () => {
      this.#fromHash(location.hash)
    })
    on(window, 'resize', () => {
      this.#sizeStage()
      this.#pz.refit(this.#current)
    })
    on(document, 'fullscreenchange', () => {
      const full = document.fullscreenElement === this
      if (!full && !this.#full) return
      this.#fullscreenChanged(full)
    })
    // A touch or click outside ends the touch-active mode and closes the menu and legend.
    on<PointerEvent>(
      document,
      'pointerdown',
      (e) => {
        const t = e.target as Node | null
        if (t !== null && this.contains(t)) return
        this.#setActive(false)
        this.#toggleMenu(false)
      },
      true,
    )
  }

  // ---------------------------------------------------------------- pages and history

  #pageIndex(path: string): number {
    return this.#index?.pages.findIndex((p) => p.path === path) ?? -1
  }

  #open(i: number, push: boolean, quiet = false): void {
    const idx = this.#index as GraphIndex
    const page = idx.pages[i]
    if (page === undefined) return
    const from = this.#current
    const focused = document.activeElement
    const hadFocus = focused !== null && focused !== this.#after && this.contains(focused)
    if (push && i !== this.#current) {
      this.#history.splice(this.#at + 1)
      this.#history.push(i)
      this.#at = this.#history.length - 1
    }
    this.#hideTip()
    this.#sections.forEach((s, k) => {
      s.hidden = k !== i
    })
    this.#current = i
    renderCrumbs(this.#toolbar.crumbs, idx, i)
    this.#toolbar.kindTag.textContent = page.kind
    this.#sizeStage()
    if (!this.#pz.hasView(i)) this.#pz.firstView(i, READABLE_SCALE)
    else this.#pz.apply(i)
    this.#updateButtons()
    // Tab lands on: going up, the sub-model node the reader came out of; otherwise the page's last focused node,
    // or its first node in reading order.
    const nodes = this.#nodes[i] ?? []
    const land = this.#entryNode(i, from) ?? this.#roving[i] ?? readingOrder(nodes)[0]
    this.#roving[i] = land
    rove(nodes, land)
    this.#viewport.tabIndex = land === undefined ? 0 : -1
    // The focus was on something this change removed or hid (the node, a breadcrumb, the menu): keyboard users land
    // on the page's node, pointer users keep it on the graph (so Alt+← and the other keys still reach the viewer).
    if (hadFocus && this.#stranded()) {
      if (land && this.#keyboard) land.el.focus({ preventScroll: true })
      else this.#viewport.focus({ preventScroll: true })
    }
    if (quiet) return
    this.#say(`Opened ${page.title} (${page.kind}), ${nodes.length} nodes`)
    if (this.id) setHash(routeHash(this.id, page.path))
    this.dispatchEvent(new CustomEvent('flowmark:navigate', { detail: { path: page.path }, bubbles: true }))
  }

  /** Whether the focus was lost by the last change (on the body, or inside something now hidden). */
  #stranded(): boolean {
    const ae = document.activeElement
    return ae === null || ae === document.body || !this.contains(ae) || ae.closest('[hidden]') !== null
  }

  /** When page `i` is an ancestor of page `from`: the node of `i` that opens the branch holding `from`. */
  #entryNode(i: number, from: number): NodeInfo | undefined {
    const pages = (this.#index as GraphIndex).pages
    for (let p = from, guard = 0; guard < 64; guard++) {
      const parent = pages[p]?.parent
      if (parent === undefined) return undefined
      const up = this.#pageIndex(parent)
      if (up === i) return this.#nodes[i]?.find((n) => n.opens === p)
      if (up < 0) return undefined
      p = up
    }
    return undefined
  }

  #go(delta: number): void {
    const at = this.#at + delta
    const target = this.#history[at]
    if (target === undefined) return
    this.#at = at
    this.#open(target, false)
  }

  #updateButtons(): void {
    const back = this.#toolbar.buttons.get('back'),
      fwd = this.#toolbar.buttons.get('forward')
    if (back) back.disabled = this.#at <= 0
    if (fwd) fwd.disabled = this.#at >= this.#history.length - 1
  }

  /** Applies a deep link (`#<id>:<page>[:<node>]`), a section id or a node's element id; returns whether it was for this graph. */
  #fromHash(hash: string): boolean {
    if (!this.#index) return false
    const route = parseRoute(hash, this.id)
    if (route === undefined) return false
    if (route.kind === 'element') {
      const section = this.#sections.findIndex((s) => s.id === route.id)
      if (section >= 0) {
        this.#open(section, true)
        return true
      }
      const target = route.id === '' ? null : this.querySelector(`[id="${CSS.escape(route.id)}"]`)
      const info = target === null ? undefined : this.#byElement.get(target)
      if (info === undefined) return false
      this.#goToNode(info, false)
      return true
    }
    const p = this.#pageIndex(route.path)
    if (p < 0) return false
    if (p !== this.#current || this.#sections[p]?.hidden !== false) this.#open(p, true)
    if (route.node !== undefined) {
      const info = this.#nodes[p]?.find((n) => n.label === route.node)
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
    if (reveal) this.#pz.reveal(info.page, info.el)
    const path = this.#index?.pages[info.page]?.path ?? ''
    if (this.id) setHash(routeHash(this.id, path, info.label))
    this.#say(`Selected ${KIND_NAME[info.kind] ?? 'node'} ${info.label}`)
    this.dispatchEvent(new CustomEvent('flowmark:select', { detail: { path, node: info.label }, bubbles: true }))
  }

  /** Opens the page of `info`, selects it, and gives it the focus (and the graph's tab stop). */
  #goToNode(info: NodeInfo, focus: boolean): void {
    if (info.page !== this.#current) this.#open(info.page, true)
    this.#roving[info.page] = info
    rove(this.#nodes[info.page] ?? [], info)
    this.#select(info, true)
    if (focus) info.el.focus({ preventScroll: true })
  }

  #activate(info: NodeInfo): void {
    if (info.opens !== undefined) {
      this.#open(info.opens, true)
      return
    }
    this.#select(info, false)
    if (this.#keyboard) this.#showTip(info)
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
    this.#tooltip.show(info, this)
  }

  #hideTip(): void {
    this.#tooltip.hide()
    this.#hot(undefined)
  }

  #say(text: string): void {
    this.#live.textContent = text
  }

  #hint(text: string): void {
    this.#hintEl.textContent = text
    this.#hintEl.classList.add('fm-show')
    clearTimeout(this.#hintTimer)
    this.#hintTimer = window.setTimeout(() => this.#hintEl.classList.remove('fm-show'), 1600)
  }

  /** Touch-active mode: every one-finger swipe pans the graph (the page scrolls again after a tap outside). */
  #setActive(on: boolean): void {
    if (on === this.hasAttribute('data-fm-active')) return
    this.toggleAttribute('data-fm-active', on)
    if (on) this.#hint('Drag to pan · pinch to zoom · tap outside to scroll')
  }

  #sizeStage(): void {
    const i = this.#current
    const section = this.#sections[i]
    const stage = section?.querySelector<HTMLElement>('.fm-stage')
    if (!section || !stage) return
    if (this.#full) {
      stage.style.height = `${Math.max(200, window.innerHeight - this.#toolbar.bar.offsetHeight)}px`
      return
    }
    const base = this.#pz.base(i)
    const w = Number(section.dataset.fmWidth) || base?.w || 600
    const hgt = Number(section.dataset.fmHeight) || base?.h || 400
    const avail = Math.max(200, this.#viewport.clientWidth || this.clientWidth || w)
    // Tall enough for the whole drawing at the width available (never enlarged), within the height limit.
    const natural = hgt * Math.min(1, avail / w) + 24
    const limit = Number(this.dataset.fmHeight) || Math.round(window.innerHeight * 0.7)
    stage.style.height = `${Math.round(Math.max(160, Math.min(natural, limit)))}px`
  }

  // ---------------------------------------------------------------- input

  #onClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target : null
    if (!target) return
    if (this.#pz.suppressClick && this.#viewport.contains(target)) {
      e.preventDefault()
      return
    }
    const action = target.closest<HTMLElement>('[data-fm-action]')?.dataset.fmAction
    if (action) {
      this.#action(action)
      return
    }
    const crumb = target.closest<HTMLElement>('[data-fm-crumb]')
    if (crumb) {
      this.#open(Number(crumb.dataset.fmCrumb), true)
      return
    }
    if (!this.#toolbar.menu.hidden && !this.#toolbar.menu.contains(target)) this.#toggleMenu(false)
    const node = this.#nodeOf(target)
    if (node) {
      const link = target.closest('a')
      const href = link?.getAttributeNS(XLINK_NS, 'href') ?? link?.getAttribute('href') ?? null
      // A link to another node of this graph (a "remote" row of a sub-model page): go to that node.
      const dest = href?.startsWith('#') === true ? this.#elementNode(href) : undefined
      if (dest !== undefined && dest !== node) {
        e.preventDefault()
        this.#goToNode(dest, true)
        return
      }
      if (node.opens !== undefined || href === null || href.startsWith('#')) {
        e.preventDefault()
        this.#activate(node)
      }
      return
    }
    if (!this.#legend.hidden && !this.#legend.contains(target)) this.#toggleLegend(false)
  }

  /** The node whose element id a `#id` link names, when it is inside this graph. */
  #elementNode(href: string): NodeInfo | undefined {
    let id: string
    try {
      id = decodeURIComponent(href.slice(1))
    } catch {
      return undefined
    }
    const el = id === '' ? null : this.querySelector(`[id="${CSS.escape(id)}"]`)
    return el === null ? undefined : this.#byElement.get(el)
  }

  #action(name: string): void {
    if (name !== 'more') this.#toggleMenu(false)
    switch (name) {
      case 'back':
        this.#go(-1)
        break
      case 'forward':
        this.#go(1)
        break
      case 'zoomIn':
        this.#pz.zoom(ZOOM_STEP)
        break
      case 'zoomOut':
        this.#pz.zoom(1 / ZOOM_STEP)
        break
      case 'fit':
        this.#pz.fit()
        break
      case 'legend':
        this.#toggleLegend()
        break
      case 'closeLegend':
        this.#toggleLegend(false)
        break
      case 'download':
        this.#download()
        break
      case 'fullscreen':
        this.#toggleFullscreen()
        break
      case 'more':
        this.#toggleMenu()
        break
    }
  }

  #onKey(e: KeyboardEvent): void {
    this.#keyboard = true
    const target = e.target instanceof Element ? e.target : null
    if (target !== null && this.#search.root.contains(target)) return
    if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      // Only when the viewer has somewhere to go: otherwise the browser's own Back/Forward.
      const delta = e.key === 'ArrowLeft' ? -1 : 1
      if (this.#history[this.#at + delta] === undefined) return
      e.preventDefault()
      this.#go(delta)
      return
    }
    if (e.key === 'Escape') {
      if (!this.#toolbar.menu.hidden) {
        this.#toggleMenu(false)
        this.#toolbar.buttons.get('more')?.focus()
        return
      }
      if (!this.#legend.hidden) {
        this.#toggleLegend(false)
        return
      }
      if (this.#full && !document.fullscreenElement) {
        this.#toggleFullscreen()
        return
      }
      this.#setActive(false)
      this.#hideTip()
      return
    }
    if (target !== null && this.#toolbar.menu.contains(target)) {
      this.#menuKey(e)
      return
    }
    if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault()
      this.#search.input.focus()
      return
    }
    if (!target || !this.#viewport.contains(target)) return
    const node = this.#nodeOf(target)
    if (node && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault()
      this.#activate(node)
      return
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const dir = arrowDirection(e.key)
    if (dir !== undefined) {
      e.preventDefault()
      const next = node && !e.shiftKey ? nearestNode(node, this.#nodes[this.#current] ?? [], dir) : undefined
      if (node && !e.shiftKey) {
        if (next) next.el.focus({ preventScroll: true })
        return
      }
      const dx = dir === 'left' ? PAN_STEP : dir === 'right' ? -PAN_STEP : 0
      const dy = dir === 'up' ? PAN_STEP : dir === 'down' ? -PAN_STEP : 0
      this.#pz.pan(dx, dy)
      return
    }
    switch (e.key) {
      case 'Home':
      case 'End': {
        const order = readingOrder(this.#nodes[this.#current] ?? [])
        const to = e.key === 'Home' ? order[0] : order[order.length - 1]
        if (to) {
          e.preventDefault()
          to.el.focus({ preventScroll: true })
        }
        break
      }
      case '+':
      case '=':
        e.preventDefault()
        this.#pz.zoom(ZOOM_STEP)
        break
      case '-':
      case '_':
        e.preventDefault()
        this.#pz.zoom(1 / ZOOM_STEP)
        break
      case '0':
        e.preventDefault()
        this.#pz.fit()
        break
      case 'f':
      case 'F':
        e.preventDefault()
        this.#toggleFullscreen()
        break
      case 'Backspace': {
        const parent = this.#index?.pages[this.#current]?.parent
        if (parent !== undefined) {
          e.preventDefault()
          this.openPage(parent)
        }
        break
      }
    }
  }

  /** Up/Down/Home/End between the enabled entries of the open menu. */
  #menuKey(e: KeyboardEvent): void {
    const items = [...this.#toolbar.menu.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')]
    const at = items.indexOf(e.target as HTMLButtonElement)
    const to =
      e.key === 'ArrowDown'
        ? items[(at + 1) % items.length]
        : e.key === 'ArrowUp'
          ? items[(at - 1 + items.length) % items.length]
          : e.key === 'Home'
            ? items[0]
            : e.key === 'End'
              ? items[items.length - 1]
              : undefined
    if (to) {
      e.preventDefault()
      to.focus()
    }
  }

  // ---------------------------------------------------------------- menu, legend, download, full screen

  #toggleMenu(force?: boolean): void {
    const menu = this.#toolbar.menu
    const show = force ?? menu.hidden
    if (show === !menu.hidden) return
    menu.hidden = !show
    this.#toolbar.buttons.get('more')?.setAttribute('aria-expanded', String(show))
    if (show && this.#keyboard) menu.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus()
  }

  #toggleLegend(force?: boolean): void {
    const show = force ?? this.#legend.hidden
    if (show === !this.#legend.hidden) return
    const hadFocus = this.#legend.contains(document.activeElement)
    this.#legend.hidden = !show
    this.#toolbar.buttons.get('legend')?.setAttribute('aria-expanded', String(show))
    if (show) this.#legend.querySelector<HTMLButtonElement>('.fm-close')?.focus({ preventScroll: true })
    else if (hadFocus || this.#stranded()) this.#toolbar.buttons.get('more')?.focus({ preventScroll: true })
  }

  #download(): void {
    const svg = this.#svgs[this.#current]
    const idx = this.#index
    if (!svg || !idx) return
    const page = idx.pages[this.#current] as IndexPage
    downloadSvg(svg, this.#pz.base(this.#current), `${idx.title}${page.path ? `-${page.path}` : ''}`, (id) => {
      // Links to other pages and to nodes on them become deep links into this document.
      const section = this.#sections.findIndex((s) => s.id === id)
      if (section >= 0) return this.id ? deepLink(this.id, idx.pages[section]?.path ?? '') : undefined
      const el = this.querySelector(`[id="${CSS.escape(id)}"]`)
      const info = el === null ? undefined : this.#byElement.get(el)
      return info === undefined || !this.id ? undefined : deepLink(this.id, idx.pages[info.page]?.path ?? '', info.label)
    })
  }

  #toggleFullscreen(): void {
    if (document.fullscreenEnabled) {
      if (document.fullscreenElement === this) void document.exitFullscreen().catch(() => undefined)
      else void this.requestFullscreen().catch(() => this.#fullscreenChanged(!this.#full))
      return
    }
    // No Fullscreen API (iOS Safari): fill the window instead.
    this.#fullscreenChanged(!this.#full)
  }

  #fullscreenChanged(full: boolean): void {
    this.#full = full
    this.toggleAttribute('data-fm-full', full)
    this.#toolbar.buttons.get('fullscreen')?.setAttribute('aria-pressed', String(full))
    this.#sizeStage()
    this.#pz.fit()
  }
}

if (typeof customElements !== 'undefined' && customElements.get('flowmark-graph') === undefined) {
  customElements.define('flowmark-graph', FlowmarkGraph)
}
