// ephemeral job maps read as Flowmark models: the README's example job and a branching, fanning-out job run to the
// expected outputs, and a broken map reports every problem with its position.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fromEphemeral, loadModel, ModelValidationError, formatProblem, parseJsonText } from '../../engine/portable/index.ts'

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures')

describe('ephemeral job maps', () => {
  for (const job of ['ephemeral-example', 'ephemeral-branching']) {
    it(`${job} runs to the expected outputs`, async () => {
      const expected = JSON.parse(readFileSync(join(FIXTURES, job, 'expected.json'), 'utf8')) as Record<string, unknown>
      const dsp = await loadModel(join(FIXTURES, job, 'job.json'))
      const sol = dsp.dispatch({}, Object.keys(expected))
      expect(sol.errors.size).toBe(0)
      for (const [output, value] of Object.entries(expected)) expect(sol.get(output)).toEqual(value)
    })
  }

  it("turns each task into a function node over its parent's branches, and each output into a collector", async () => {
    const dsp = await loadModel(join(FIXTURES, 'ephemeral-branching', 'job.json'))
    expect([...dsp.functionNodes.values()].map((n) => `${n.inputs.join('+')} → ${String(n.id)} → ${n.outputs.join('+')}`)).toEqual([
      'in → run split-seasons → split-seasons',
      'split-seasons → run split-variables → split-variables',
      'split-variables → run combine → combine',
      'split-seasons → run label → label',
      'combine → collect combined-output → combined-output',
      'label → collect season-output → season-output',
    ])
    // A different datasource content runs through the same model.
    const sol = dsp.dispatch({ in: [{ seasons: ['dry'], variables: ['rain', 'wind'] }] }, ['combined-output'])
    expect(sol.get('combined-output')).toEqual([{ combined: 'dryrain' }, { combined: 'drywind' }])
  })

  it('reports every problem of a broken map at once, with positions', async () => {
    const text = JSON.stringify(
      {
        name: 'broken',
        datasource: { source: 'file', content: {} },
        tasks: [
          { name: 'in', type: 'input' },
          { name: 'a', type: 'function', method: 'splitSeasons', namespace: 'climate', produces: 'season' },
          { name: 'b', type: 'function', method: 'combine', namespace: 'climate', consumes: 'pair' },
          { name: 'a', type: 'output' },
          { name: 'lonely', type: 'function', method: 'label', namespace: 'climate' },
          { name: 'out', type: 'sink' },
        ],
        workflow: [
          ['in', 'a'],
          ['a', 'b'],
          ['b', 'nowhere'],
        ],
      },
      null,
      1,
    )
    const parsed = parseJsonText(text)
    try {
      await fromEphemeral(parsed.value, {
        text: parsed,
        file: 'job.json',
        baseUrl: new URL(`file://${join(FIXTURES, 'ephemeral-branching', 'job.json')}`),
      })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ModelValidationError)
      expect((e as ModelValidationError).problems.map(formatProblem)).toEqual([
        'job.json:4:13: only "direct" datasources can be read here (their "content" is the input), not "file" (at /datasource/source)',
        'job.json:27:12: duplicate task name "a" (first at /tasks/1/name) (at /tasks/3/name)',
        'job.json:38:12: task "out": "type" is "input", "function" or "output", not "sink" (at /tasks/5/type)',
        'job.json:46:3: task "a" produces "season" but task "b" consumes "pair" (at /workflow/1)',
        'job.json:52:4: no task named "nowhere" (at /workflow/2/1)',
        'job.json:31:12: task "lonely" is not connected: no workflow edge leads to it (at /tasks/4/name)',
      ])
    }
  })

  it('names the task whose method cannot be imported', async () => {
    const map = {
      datasource: { source: 'direct', content: {} },
      tasks: [
        { name: 'in', type: 'input' },
        { name: 't', type: 'function', method: 'nope', namespace: 'climate' },
      ],
      workflow: [['in', 't']],
    }
    await expect(fromEphemeral(map, { baseUrl: new URL(`file://${join(FIXTURES, 'ephemeral-branching', 'job.json')}`) })).rejects.toThrow(
      `task "t": reference of node 't' "./climate.ts#nope": the module has no export 'nope'; its function exports: combine, label, splitSeasons, splitVariables (at /tasks/1/method)`,
    )
  })
})
