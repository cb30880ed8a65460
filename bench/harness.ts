// Shared pieces of the benchmark scripts: the machine header, medians, wall and CPU timing, command-line arguments.
import { cpus, loadavg } from 'node:os'

/** The median of some measurements (the upper one of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Milliseconds one call of `fn` takes (wall clock). */
export function time(fn: () => unknown): number {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

/**
 * Milliseconds of CPU (user + system, every thread of this process) one call of `fn` takes. On a shared machine
 * this is steadier than the wall clock: time spent waiting for a core is not counted.
 */
export function cpuTime(fn: () => unknown): number {
  const t0 = process.cpuUsage()
  fn()
  const d = process.cpuUsage(t0)
  return (d.user + d.system) / 1000
}

/** Wall and CPU milliseconds of one awaited call of `fn` (CPU of every thread of this process, workers included). */
export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ wallMs: number; cpuMs: number; value: T }> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = await fn()
  const wallMs = performance.now() - t0
  const d = process.cpuUsage(c0)
  return { wallMs, cpuMs: (d.user + d.system) / 1000, value }
}

/** What a benchmark prints first: Node version, CPU model and count, and the load average (1, 5, 15 min). */
export function machineLine(): string {
  const list = cpus()
  const model = list[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU'
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  return `Node ${process.version} ${process.arch} · ${model} × ${list.length} · load average ${load}`
}

/** Prints the benchmark's title and the machine line (every benchmark starts with these). */
export function printHeader(title: string): void {
  console.log(title)
  console.log(machineLine())
}

/** The value after `--name` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}
