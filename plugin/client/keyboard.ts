// Keyboard navigation inside a graph: one tab stop (roving tabindex) and arrow keys to the nearest node on screen.
import type { NodeInfo } from './types.ts'

/** A direction on screen. */
export type Direction = 'left' | 'right' | 'up' | 'down'

/** The direction of an arrow key, or undefined for other keys. */
export function arrowDirection(key: string): Direction | undefined {
  switch (key) {
    case 'ArrowLeft':
      return 'left'
    case 'ArrowRight':
      return 'right'
    case 'ArrowUp':
      return 'up'
    case 'ArrowDown':
      return 'down'
    default:
      return undefined
  }
}

/**
 * The node nearest to `from` in `direction`, as drawn on screen (so it follows the layout, whatever the graph's rank
 * direction): among the nodes whose centre lies in that half-plane, the one with the smallest distance along the
 * direction plus twice the sideways offset (staying in line beats a closer node off to the side).
 */
export function nearestNode(from: NodeInfo, nodes: readonly NodeInfo[], direction: Direction): NodeInfo | undefined {
  const centre = (n: NodeInfo): { x: number; y: number } => {
    const r = n.el.getBoundingClientRect()
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 }
  }
  const a = centre(from)
  let best: NodeInfo | undefined
  let bestScore = Infinity
  for (const n of nodes) {
    if (n === from) continue
    const b = centre(n)
    const dx = b.x - a.x,
      dy = b.y - a.y
    const along = direction === 'left' ? -dx : direction === 'right' ? dx : direction === 'up' ? -dy : dy
    const side = direction === 'left' || direction === 'right' ? Math.abs(dy) : Math.abs(dx)
    if (along <= 0.5) continue
    const score = along + 2 * side
    if (score < bestScore) {
      bestScore = score
      best = n
    }
  }
  return best
}

/** The nodes of a page in reading order on screen: top to bottom, then left to right (rows of similar height merged). */
export function readingOrder(nodes: readonly NodeInfo[]): NodeInfo[] {
  const boxes = new Map(nodes.map((n) => [n, n.el.getBoundingClientRect()] as const))
  return [...nodes].sort((p, q) => {
    const a = boxes.get(p) as DOMRect,
      b = boxes.get(q) as DOMRect
    const dy = a.top + a.height / 2 - (b.top + b.height / 2)
    return Math.abs(dy) > Math.min(a.height, b.height) / 2 ? dy : a.left - b.left
  })
}

/** Makes `target` the one node of `nodes` reachable with Tab (`tabindex="0"`); every other node gets `-1`. */
export function rove(nodes: readonly NodeInfo[], target: NodeInfo | undefined): void {
  for (const n of nodes) n.el.setAttribute('tabindex', n === target ? '0' : '-1')
}
