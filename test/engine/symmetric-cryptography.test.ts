// The tutorial's symmetric-cryptography model behaves as the tutorial tells: fallbacks, partial runs, the API part.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { START, SINK } from '../../engine/index.ts'
import { createApi, createModel, decryptMessage, encryptMessage, generateKey } from '../../fixtures/symmetric-cryptography/model.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowmark-crypto-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const ran = (sol: ReturnType<ReturnType<typeof createModel>['dispatch']>) =>
  sol.pipe.filter((s) => s.started !== undefined).map((s) => s.nodeId)

describe('symmetric-cryptography model', () => {
  it('encrypts and decrypts with AES-GCM', () => {
    const key = generateKey()
    expect(Buffer.from(key, 'base64')).toHaveLength(32)
    expect(decryptMessage(key, encryptMessage(key, 'hello'))).toBe('hello')
    expect(() => decryptMessage(generateKey(), encryptMessage(key, 'hello'))).toThrow()
  })

  it('generates the key when the key file is missing (read_key domain rejects), then writes both files', () => {
    const dsp = createModel()
    const paths = { encrypted_fpath: join(dir, 'data.secret'), key_fpath: join(dir, 'key.key') }
    const sol = dsp.dispatch({ decrypted: 'secret message', ...paths })
    expect([...sol.keys()]).toEqual(['decrypted', 'encrypted_fpath', 'key_fpath', 'key', 'encrypted'])
    // SINK waits for every writer, and write_decrypted never runs (no decrypted_fpath): SINK is never computed.
    expect(sol.has(SINK)).toBe(false)
    expect(sol.workflow.nodes.get('read_key')?.domain).toBe(false)
    expect(ran(sol)).toEqual(['generate_key', 'encrypt_message', 'write_key', 'write_encrypted'])
    expect(readFileSync(paths.key_fpath, 'utf8')).toBe(sol.get('key'))
    expect(readFileSync(paths.encrypted_fpath, 'utf8')).toBe(sol.get('encrypted'))
    expect(sol.errors.size).toBe(0)
  })

  it('reads the key once the file exists, and runs only the part needed for the requested output', () => {
    const dsp = createModel()
    const paths = { encrypted_fpath: join(dir, 'data.secret'), key_fpath: join(dir, 'key.key') }
    dsp.dispatch({ decrypted: 'secret message', ...paths })
    const sol = dsp.dispatch(paths, ['decrypted'])
    expect(sol.get('decrypted')).toBe('secret message')
    expect(ran(sol)).toEqual(['read_encrypted', 'read_key', 'decrypt_message'])
    // Nothing is written when only `decrypted` is asked for.
    expect([...sol.workflow.nodes.keys()]).not.toContain('write_decrypted')
    expect(sol.has(SINK)).toBe(false)
  })

  it('falls back to generating a key when the key path is not a file', () => {
    const dsp = createModel()
    // A directory is not a file: read_key's domain rejects it silently and generate_key takes over.
    const sol = dsp.dispatch({ key_fpath: dir, decrypted: 'x' }, ['encrypted'])
    expect(sol.workflow.nodes.get('read_key')?.domain).toBe(false)
    expect(ran(sol)).toEqual(['generate_key', 'encrypt_message'])
    expect(typeof sol.get('encrypted')).toBe('string')
  })

  it('falls back to generating a key when reading it throws, and records the failure', () => {
    const dsp = createModel()
    // Swap the reader for one that fails: the failure is recorded and the alternative path is taken.
    const read = dsp.getNode('read_key')
    if (read.kind !== 'function') throw new Error('read_key is a function node')
    dsp.addFunction({
      id: 'read_key_broken',
      fn: () => {
        throw new Error('disk unplugged')
      },
      inputs: ['key_fpath'],
      outputs: ['key'],
    })
    const sol = dsp.dispatch({ key_fpath: join(dir, 'nowhere'), decrypted: 'x' }, ['encrypted'])
    expect(sol.errors.get('read_key_broken')?.cause).toMatchObject({ message: 'disk unplugged' })
    expect(ran(sol)).toEqual(['read_key_broken', 'generate_key', 'encrypt_message'])
    expect(typeof sol.get('encrypted')).toBe('string')
  })

  it('extracts the API part: no file reading or writing', () => {
    const api = createApi()
    expect([...api.nodes.keys()]).toEqual(['key', START, 'generate_key', 'encrypt_message', 'decrypted', 'encrypted', 'decrypt_message'])
    expect([...api.functionNodes.keys()].some((id) => String(id).includes('read') || String(id).includes('write'))).toBe(false)
    const sol = api.dispatch({ decrypted: 'message' })
    const back = api.dispatch({ key: sol.get('key'), encrypted: sol.get('encrypted') }, ['decrypted'])
    expect(back.get('decrypted')).toBe('message')
  })
})
