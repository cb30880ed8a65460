// Reading a page for `--update` and writing it back safely: exact bytes, a size limit, a content check, an atomic rename.
import { createHash } from 'node:crypto'
import { unlinkSync } from 'node:fs'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Default largest page `flowmark-docs doctest` reads, in megabytes (`--max-page-size`). */
export const DEFAULT_MAX_PAGE_MB = 64

/** A page as read from disk: its text and what is needed to write it back without losing anything. */
export interface PageFile {
  /** Absolute path. */
  readonly path: string
  /** The page decoded as UTF-8 (a byte order mark stays in the text as U+FEFF, so it is written back). */
  readonly text: string
  /** SHA-256 of the bytes read: the page must still have them when `--update` writes. */
  readonly digest: string
  /** False when the bytes are not valid UTF-8: decoding replaced some of them, so writing the text back would lose data. */
  readonly exactText: boolean
}

/** A page larger than the limit: it is reported as a page error instead of being parsed (the parse could exhaust memory). */
export class PageTooLargeError extends FlowmarkPluginError {
  static {
    nameError(this, 'PageTooLargeError')
  }
  /** Size of the page in bytes. */
  readonly bytes: number
  /**
   * @param path The page.
   * @param bytes Its size.
   * @param limitMb The limit in megabytes.
   */
  constructor(path: string, bytes: number, limitMb: number) {
    super(
      `${path} is ${(bytes / 1_048_576).toFixed(1)} MB, more than the ${limitMb} MB a page may have; it was not run. Split the page, or raise the limit (\`--max-page-size <MB>\`).`,
    )
    this.bytes = bytes
  }
}

/** What {@link writePageSafely} did. */
export type WriteOutcome = 'written' | 'changed'

/**
 * Reads a page for a doctest run.
 * @param path Absolute path of the page.
 * @param maxMb Largest page read, in megabytes.
 * @returns The page with the digest of its bytes.
 * @throws PageTooLargeError when the file is larger than `maxMb`.
 */
export async function readPage(path: string, maxMb: number = DEFAULT_MAX_PAGE_MB): Promise<PageFile> {
  const size = (await stat(path)).size
  if (size > maxMb * 1_048_576) throw new PageTooLargeError(path, size, maxMb)
  const bytes = await readFile(path)
  const text = bytes.toString('utf8')
  return {
    path,
    text,
    digest: digestOf(bytes),
    exactText: Buffer.byteLength(text, 'utf8') === bytes.length && Buffer.from(text, 'utf8').equals(bytes),
  }
}

/**
 * Writes `text` over a page read by {@link readPage}, so that nothing is lost whatever happens meanwhile:
 *
 * - the new text goes to a temporary file beside the page (same folder, so same filesystem), with the page's mode,
 *   flushed to disk, and is then renamed over the page: the page is at every moment either the old or the new text,
 *   even when the process is killed mid-write (Ctrl-C removes the temporary file first);
 * - right before the rename, the page's bytes are compared with the ones the run read: when the page was edited
 *   during the run, nothing is written and `'changed'` is returned (the edit wins; run again).
 * @param page The page as read.
 * @param text The new content.
 * @returns `'written'`, or `'changed'` when the page no longer has the content that was read.
 */
export async function writePageSafely(page: PageFile, text: string): Promise<WriteOutcome> {
  if (!(await stillTheSame(page))) return 'changed'
  const info = await stat(page.path)
  const temp = join(dirname(page.path), `.${basename(page.path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`)
  const removeTemp = (): void => {
    try {
      // Synchronous on purpose: this also runs from a signal handler, right before the process ends.
      unlinkSync(temp)
    } catch {
      /* already gone */
    }
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    removeTemp()
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    // Die of the same signal, as without this handler.
    process.kill(process.pid, signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const handle = await open(temp, 'wx', info.mode & 0o7777)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (!(await stillTheSame(page))) {
      await unlink(temp).catch(() => undefined)
      return 'changed'
    }
    await rename(temp, page.path)
    return 'written'
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

/** Whether the page on disk still has the bytes that were read. */
async function stillTheSame(page: PageFile): Promise<boolean> {
  try {
    return digestOf(await readFile(page.path)) === page.digest
  } catch {
    return false
  }
}

function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
