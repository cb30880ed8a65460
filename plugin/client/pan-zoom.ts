// Pan and zoom of the viewer's SVG pages: fit, zoom about a point, pan, reveal, and mouse, wheel, touch and pinch input.

// Hand-written rather than a library: it only rewrites one viewBox per page, and the gesture rules (plain wheel and
// vertical swipes scroll the page; Ctrl+wheel, horizontal swipes and pinch go to the graph) are the viewer's own.
import type { Box } from './types.ts'

const MIN_SCALE = 0.05
const MAX_SCALE = 12
/** Movement (CSS px) below which a press is a tap or click, not a drag. */
const DRAG_SLOP = { mouse: 4, touch: 8 } as const

/** What the pan-zoom controller needs from its viewer. */
export interface PanZoomHost {
  /** The element receiving pointer and wheel input. */
  readonly viewport: HTMLElement
  /** The index of the page shown. */
  current(): number
  /** The SVG of page `i`. */
  svg(i: number): SVGSVGElement | undefined
  /** A drag or pinch has started (hide transient UI such as tooltips). */
  gestureStarted(): void
  /** A touch press ended without moving: a tap at that pointer event. */
  tapped(e: PointerEvent): void
  /** Shows a short hint over the graph (e.g. how to zoom). */
  hint(text: string): void
  /** Whether every touch gesture belongs to the graph (touch-active or full screen); otherwise vertical swipes scroll the page. */
  touchOwned(): boolean
}

type Gesture =
  | { kind: 'drag'; id: number; x: number; y: number; moved: boolean; box: Box; touch: boolean }
  | { kind: 'pinch'; dist: number; mx: number; my: number; box: Box; at: DOMPoint; ppu: number }

/** The view (viewBox) of each page and the input that changes it. */
export class PanZoom {
  readonly #host: PanZoomHost
  readonly #base: (Box | undefined)[] = []
  readonly #views: (Box | undefined)[] = []
  /** Whether each page still shows its first view or the fitted one (then a resize computes it again), or was moved. */
  readonly #mode: ('first' | 'fit' | 'moved')[] = []
  #readable = 0
  readonly #pointers = new Map<number, { x: number; y: number }>()
  #gesture: Gesture | undefined
  #suppressClick = false

  constructor(host: PanZoomHost) {
    this.#host = host
  }

  /** Records the drawing's own viewBox of page `i` (the extent Fit shows). */
  setBase(i: number, box: Box | undefined): void {
    this.#base[i] = box
  }

  /** The drawing's own viewBox of page `i`. */
  base(i: number): Box | undefined {
    return this.#base[i]
  }

  /** Whether page `i` has been shown (it has a view). */
  hasView(i: number): boolean {
    return this.#views[i] !== undefined
  }

  /** After the stage changed size: page `i`'s first or fitted view again, unless the reader moved it. */
  refit(i: number): void {
    if (this.#mode[i] === 'first') this.firstView(i, this.#readable)
    else if (this.#mode[i] === 'fit') this.fit(i)
  }

  /** Whether a click that just ended a drag must be ignored. */
  get suppressClick(): boolean {
    return this.#suppressClick
  }

  /** Whether a drag is moving the view. */
  get dragging(): boolean {
    return this.#gesture?.kind === 'pinch' || (this.#gesture?.kind === 'drag' && this.#gesture.moved)
  }

  /** The scale at which the whole of page `i` fits its stage (px per SVG unit), or 0 before layout. */
  fitScale(i: number): number {
    const base = this.#base[i],
      svg = this.#host.svg(i)
    if (!base || !svg) return 0
    const pad = Math.max(base.w, base.h) * 0.02
    const sw = svg.clientWidth,
      sh = svg.clientHeight
    return sw > 0 && sh > 0 ? Math.min(sw / (base.w + 2 * pad), sh / (base.h + 2 * pad), 4 / 3) : 0
  }

  /** Shows the whole drawing of page `i`, centred, never enlarged past its natural size (1 pt = 4/3 px). */
  fit(i = this.#host.current()): void {
    const base = this.#base[i]
    if (!base) return
    const pad = Math.max(base.w, base.h) * 0.02
    const svg = this.#host.svg(i)
    const sw = svg?.clientWidth ?? 0,
      sh = svg?.clientHeight ?? 0
    const scale = this.fitScale(i)
    const vw = scale > 0 ? sw / scale : base.w + 2 * pad,
      vh = scale > 0 ? sh / scale : base.h + 2 * pad
    this.#views[i] = { x: base.x + base.w / 2 - vw / 2, y: base.y + base.h / 2 - vh / 2, w: vw, h: vh }
    this.apply(i)
    this.#mode[i] = 'fit'
    svg?.closest('.fm-page')?.removeAttribute('data-fm-overflow')
  }

  /**
   * The first view of page `i`: the whole drawing when its labels stay readable that way (scale ≥ `readable`, in px
   * per pt). Otherwise, when fitting the width alone is larger, the whole width from the top (a tall drawing: the
   * reader pans down, and Fit shows it whole); else the whole drawing anyway (a wide one, as on a phone: pinch to read).
   * Sets `data-fm-overflow` on the page's section when part of the drawing starts out of view.
   */
  firstView(i: number, readable: number): void {
    this.#readable = readable
    this.fit(i)
    this.#mode[i] = 'first'
    const base = this.#base[i],
      svg = this.#host.svg(i)
    const whole = this.fitScale(i)
    if (!base || !svg || whole <= 0 || whole >= readable) {
      svg?.closest('.fm-page')?.removeAttribute('data-fm-overflow')
      return
    }
    const pad = Math.max(base.w, base.h) * 0.02
    const sw = svg.clientWidth,
      sh = svg.clientHeight
    const byWidth = Math.min(sw / (base.w + 2 * pad), 4 / 3)
    if (byWidth <= whole * 1.05) return
    const vw = sw / byWidth,
      vh = sh / byWidth
    this.#views[i] = { x: base.x + base.w / 2 - vw / 2, y: base.y - pad, w: vw, h: vh }
    this.apply(i)
    svg.closest('.fm-page')?.setAttribute('data-fm-overflow', '')
  }

  /** Writes page `i`'s view into its SVG. */
  apply(i: number): void {
    const v = this.#views[i],
      svg = this.#host.svg(i)
    if (!v || !svg) return
    svg.setAttribute('viewBox', `${v.x.toFixed(2)} ${v.y.toFixed(2)} ${v.w.toFixed(2)} ${v.h.toFixed(2)}`)
  }

  /** Client point → SVG user coordinates of the current page. */
  #toSvg(clientX: number, clientY: number): DOMPoint | undefined {
    const m = this.#host.svg(this.#host.current())?.getScreenCTM()
    return m ? new DOMPoint(clientX, clientY).matrixTransform(m.inverse()) : undefined
  }

  /** Zooms the current page by `factor` about a client point (default: the centre), from `from` (default: the view). */
  zoom(factor: number, clientX?: number, clientY?: number, from?: Box, at?: DOMPoint): void {
    const i = this.#host.current()
    const v = from ?? this.#views[i],
      base = this.#base[i],
      svg = this.#host.svg(i)
    if (!v || !base || !svg) return
    const scale = base.w / v.w
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor))
    const k = next / scale
    if (k === 1 && from === undefined) return
    const rect = svg.getBoundingClientRect()
    const p = at ?? this.#toSvg(clientX ?? rect.left + rect.width / 2, clientY ?? rect.top + rect.height / 2)
    const px = p?.x ?? v.x + v.w / 2,
      py = p?.y ?? v.y + v.h / 2
    this.#views[i] = { x: px - (px - v.x) / k, y: py - (py - v.y) / k, w: v.w / k, h: v.h / k }
    this.apply(i)
    this.#mode[i] = 'moved'
  }

  /** Moves the current page's view by a client distance, from `from` (default: the view). */
  pan(dxClient: number, dyClient: number, from?: Box): void {
    const i = this.#host.current()
    const v = from ?? this.#views[i]
    const m = this.#host.svg(i)?.getScreenCTM()
    if (!v || !m) return
    this.#views[i] = { x: v.x - dxClient / m.a, y: v.y - dyClient / m.d, w: v.w, h: v.h }
    this.apply(i)
    this.#mode[i] = 'moved'
  }

  /** Pans page `i` so `el` is inside the view (centred when `centre` or when it is outside). */
  reveal(i: number, el: Element, centre = false): void {
    const svg = this.#host.svg(i),
      v = this.#views[i]
    if (!svg || !v || i !== this.#host.current()) return
    const r = el.getBoundingClientRect()
    const vp = svg.getBoundingClientRect()
    const inside = r.left >= vp.left && r.right <= vp.right && r.top >= vp.top && r.bottom <= vp.bottom
    if (inside && !centre) return
    const c = this.#toSvg(r.left + r.width / 2, r.top + r.height / 2)
    if (!c) return
    this.#views[i] = { x: c.x - v.w / 2, y: c.y - v.h / 2, w: v.w, h: v.h }
    this.apply(i)
    this.#mode[i] = 'moved'
  }

  /** Listens to wheel and pointer input on the viewport. */
  attach(): void {
    const vp = this.#host.viewport
    vp.addEventListener('wheel', (e) => this.#onWheel(e), { passive: false })
    vp.addEventListener('pointerdown', (e) => this.#onDown(e))
    vp.addEventListener('pointermove', (e) => this.#onMove(e))
    vp.addEventListener('pointerup', (e) => this.#onUp(e, false))
    vp.addEventListener('pointercancel', (e) => this.#onUp(e, true))
  }

  #onWheel(e: WheelEvent): void {
    if (!(e.ctrlKey || e.metaKey)) {
      // Plain wheel scrolls the page: never trap it. Say how to zoom instead.
      this.#host.hint(`${/Mac|iP/.test(navigator.platform) ? '⌘' : 'Ctrl'} + scroll to zoom`)
      return
    }
    e.preventDefault()
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY
    this.zoom(Math.exp(-dy / 300), e.clientX, e.clientY)
  }

  #view(): Box | undefined {
    const v = this.#views[this.#host.current()]
    return v === undefined ? undefined : { ...v }
  }

  #onDown(e: PointerEvent): void {
    if ((e.pointerType === 'mouse' && e.button !== 0) || !this.#view()) return
    this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY })
    if (this.#pointers.size === 1) {
      this.#gesture = {
        kind: 'drag',
        id: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        moved: false,
        box: this.#view() as Box,
        touch: e.pointerType !== 'mouse',
      }
    } else if (this.#pointers.size === 2) this.#startPinch()
  }

  #startPinch(): void {
    const [a, b] = [...this.#pointers.values()] as [{ x: number; y: number }, { x: number; y: number }]
    const mx = (a.x + b.x) / 2,
      my = (a.y + b.y) / 2
    const at = this.#toSvg(mx, my)
    const m = this.#host.svg(this.#host.current())?.getScreenCTM()
    if (!at || !m) return
    this.#gesture = { kind: 'pinch', dist: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)), mx, my, box: this.#view() as Box, at, ppu: m.a }
    for (const id of this.#pointers.keys()) this.#capture(id)
    this.#host.gestureStarted()
  }

  #capture(id: number): void {
    try {
      this.#host.viewport.setPointerCapture(id)
    } catch {
      /* the pointer is gone already */
    }
  }

  #onMove(e: PointerEvent): void {
    const p = this.#pointers.get(e.pointerId)
    const g = this.#gesture
    if (!p || !g) return
    p.x = e.clientX
    p.y = e.clientY
    if (g.kind === 'pinch') {
      const [a, b] = [...this.#pointers.values()] as [{ x: number; y: number }, { x: number; y: number }]
      const k = Math.hypot(a.x - b.x, a.y - b.y) / g.dist
      const mx = (a.x + b.x) / 2,
        my = (a.y + b.y) / 2
      // Zoom about the point first under the fingers, then move it with their midpoint.
      this.zoom(k, undefined, undefined, g.box, g.at)
      const v = this.#views[this.#host.current()]
      if (v) {
        const ppu = g.ppu * (g.box.w / v.w)
        this.#views[this.#host.current()] = { ...v, x: v.x - (mx - g.mx) / ppu, y: v.y - (my - g.my) / ppu }
        this.apply(this.#host.current())
      }
      return
    }
    if (g.id !== e.pointerId) return
    const dx = e.clientX - g.x,
      dy = e.clientY - g.y
    if (!g.moved && Math.hypot(dx, dy) < DRAG_SLOP[g.touch ? 'touch' : 'mouse']) return
    if (!g.moved) {
      // A mostly vertical swipe is the page's scroll (the browser takes it, `touch-action: pan-y`): leave it alone.
      if (g.touch && Math.abs(dy) > Math.abs(dx) && !this.#host.touchOwned()) {
        this.#gesture = undefined
        this.#pointers.delete(e.pointerId)
        return
      }
      g.moved = true
      this.#host.viewport.classList.add('fm-dragging')
      this.#capture(e.pointerId)
      this.#host.gestureStarted()
    }
    this.pan(dx, dy, g.box)
  }

  #onUp(e: PointerEvent, cancelled: boolean): void {
    if (!this.#pointers.delete(e.pointerId)) return
    const g = this.#gesture
    const vp = this.#host.viewport
    if (vp.hasPointerCapture(e.pointerId)) vp.releasePointerCapture(e.pointerId)
    if (g?.kind === 'pinch') {
      // One finger left on the glass: it keeps panning from here.
      const rest = [...this.#pointers.entries()][0]
      this.#gesture =
        rest === undefined
          ? undefined
          : { kind: 'drag', id: rest[0], x: rest[1].x, y: rest[1].y, moved: true, box: this.#view() as Box, touch: true }
      this.#endClick()
      return
    }
    if (g === undefined || g.id !== e.pointerId) return
    this.#gesture = undefined
    if (g.moved) {
      vp.classList.remove('fm-dragging')
      this.#endClick()
    } else if (g.touch && !cancelled) this.#host.tapped(e)
  }

  /** The click that follows a drag's pointerup must not select or open a node. */
  #endClick(): void {
    this.#suppressClick = true
    setTimeout(() => {
      this.#suppressClick = false
    }, 0)
  }
}
