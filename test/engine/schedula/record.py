#!/usr/bin/env python3
# Records schedula's answers on the issue #15 repros and on seeded random models as JSON fixtures (run by hand only).
"""
Usage:  python3 test/engine/schedula/record.py [--schedula /work/schedula-src] [--random 400] [--seed 15]

Writes fixtures/schedula-answers/<case>/{model.json,expected.json} for each named repro and
fixtures/schedula-answers/random/{models.json,expected.json} for the differential replay.

A model is plain JSON data that both this script and test/engine/schedula/build.ts build:

  {"name": "m", "nodes": [
     {"data": "a", "default": 1, "initialDist": 2, "wait": "dsum", "wildcard": false},
     {"function": "f0", "fn": "add:1", "inputs": ["a"], "outputs": ["b"], "weight": 2,
      "domain": "gt:0:2", "inpWeight": {"a": 3}},
     {"dispatcher": "S", "model": {...}, "inputs": {"x": "a"}, "outputs": {"b": "y"},
      "domain": "has:x", "weight": 1, "includeDefaults": true}]}

Function vocabulary (see FNS): sum, neg, add:K, mul:K, const:K, fail. With n > 1 outputs a function returns
[v, v + 1, ..., v + n - 1]. Domains: gt:I:K (argument I > K), has:ID (sub-dispatcher: parent input ID arrived),
hasall:ID,ID. Waiting data functions: dsum, dmin, dkeys (the estimation keys in order, START as "<START>").

Recorded values: START/SINK as "<START>"/"<SINK>", NONE as "<NONE>", an edge without a value as "<NO VALUE>".
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
OUT = os.path.join(ROOT, 'fixtures', 'schedula-answers')

sh = None  # schedula, imported in main()
SOLUTION = None  # schedula.utils.sol.Solution


# ---------------------------------------------------------------- vocabulary

class Boom(Exception):
    pass


def spread(v, n):
    return v if n == 1 else [v + i for i in range(n)]


def make_fn(name, n_out):
    kind, _, arg = name.partition(':')
    k = float(arg) if arg else 0
    k = int(k) if k == int(k) else k
    if kind == 'sum':
        return lambda *a: spread(sum(a), n_out)
    if kind == 'neg':
        return lambda *a: spread(-sum(a), n_out)
    if kind == 'add':
        return lambda *a: spread(sum(a) + k, n_out)
    if kind == 'mul':
        return lambda *a: spread(sum(a) * k, n_out)
    if kind == 'const':
        return lambda *a: spread(k, n_out)
    if kind == 'fail':
        def fail(*a):
            raise Boom('boom')
        return fail
    raise ValueError(name)


def make_domain(name):
    kind, _, rest = name.partition(':')
    if kind == 'gt':
        i, k = rest.split(':')
        return lambda *a: a[int(i)] > float(k)
    if kind == 'has':
        return lambda d: rest in d
    if kind == 'hasall':
        ids = rest.split(',')
        return lambda d: all(i in d for i in ids)
    raise ValueError(name)


def make_data_fn(name):
    if name == 'dsum':
        return lambda est: sum(est.values())
    if name == 'dmin':
        return lambda est: min(est.values())
    if name == 'dkeys':
        return lambda est: [enc_id(k) for k in est]
    raise ValueError(name)


# ---------------------------------------------------------------- building

def build(spec):
    dsp = sh.Dispatcher(name=spec.get('name', ''), raises=spec.get('raises', False))
    for n in spec['nodes']:
        if 'data' in n:
            kw = {}
            if 'default' in n:
                kw['default_value'] = n['default']
            if 'initialDist' in n:
                kw['initial_dist'] = n['initialDist']
            if 'wait' in n:
                kw['wait_inputs'] = True
                kw['function'] = make_data_fn(n['wait'])
            if 'wildcard' in n:
                kw['wildcard'] = n['wildcard']
            dsp.add_data(n['data'], **kw)
        elif 'function' in n:
            kw = {}
            if 'domain' in n:
                kw['input_domain'] = make_domain(n['domain'])
            if 'weight' in n:
                kw['weight'] = n['weight']
            if 'inpWeight' in n:
                kw['inp_weight'] = n['inpWeight']
            dsp.add_function(n['function'], make_fn(n['fn'], len(n['outputs'])), n['inputs'], n['outputs'], **kw)
        else:
            kw = {}
            if 'domain' in n:
                kw['input_domain'] = make_domain(n['domain'])
            if 'weight' in n:
                kw['weight'] = n['weight']
            if n.get('includeDefaults'):
                kw['include_defaults'] = True
            dsp.add_dispatcher(build(n['model']), inputs=n['inputs'], outputs=n['outputs'], dsp_id=n['dispatcher'], **kw)
    return dsp


# ---------------------------------------------------------------- Flowmark's documented shrink rule

class KeepFedInputs:
    """
    Within this block schedula shrinks as Flowmark does on purpose (README, Coming from schedula): when a kept
    sub-dispatcher would keep none of its inputs (so it could never start and every child output would be lost), the
    child data nodes its kept parent inputs feed stay in the child, with their mappings and parent edges. Answers
    recorded under it are schedula's answers with that one documented rule applied, nothing else.
    """

    def __enter__(self):
        self.original = original = sh.Dispatcher._get_dsp_from_bfs

        def shrink_level(dsp, outputs, bfs_graphs=None):
            out = original(dsp, outputs, bfs_graphs)
            graph = bfs_graphs[sh.NONE] if bfs_graphs is not None else dsp.dmap
            for n in out.sub_dsp_nodes:
                a, src = out.nodes[n], dsp.nodes[n]
                if a['inputs']:
                    continue
                child, child_src = a['function'], src['function']
                fed = {}
                for p, ids in src['inputs'].items():
                    ids = tuple(i for i in sh.stlp(ids) if child_src.nodes.get(i, {}).get('type') == 'data')
                    if p in graph.pred[n] and ids:
                        fed[p] = ids
                if not fed:
                    continue
                for ids in fed.values():
                    for i in ids:
                        if i not in child.nodes:
                            child.dmap.add_node(i, **child_src.nodes[i])
                            if i in child_src.default_values:
                                child.default_values[i] = child_src.default_values[i]
                a['inputs'] = {p: ids[0] if len(ids) == 1 else ids for p, ids in fed.items()}
                rank = {k: i for i, k in enumerate(out.nodes)}  # the reverse search's order, as succ lists hold
                for p in fed:
                    out.dmap.add_edge(p, n, **dsp.dmap.succ[p][n])
                    succ = out.dmap.succ[p]
                    edges = sorted(succ.items(), key=lambda e: rank[e[0]])
                    succ.clear()
                    succ.update(edges)
            return out

        sh.Dispatcher._get_dsp_from_bfs = shrink_level
        return self

    def __exit__(self, *exc):
        sh.Dispatcher._get_dsp_from_bfs = self.original


class CloseNestedLevels:
    """
    Within this block schedula closes a sub-dispatcher as Flowmark does on purpose (README, Coming from schedula):
    when every parent output of a sub-dispatcher is reached, the levels nested in it close with it, also those that
    hold no value yet (schedula tests a child solution for truth, so an empty one, a dict, stays open and keeps
    running functions whose results can no longer reach the parent).
    """

    def __enter__(self):
        self.original = sh.utils.sol.Solution.__dict__['_dsp_closed_add']

        def close(dsp_closed, s):
            dsp_closed.add(s.index)
            for node in s.dsp.sub_dsp_nodes.values():
                child = s.sub_sol.get(s.index + node['index'], None)
                if child is not None:
                    close(dsp_closed, child)

        sh.utils.sol.Solution._dsp_closed_add = staticmethod(close)
        return self

    def __exit__(self, *exc):
        sh.utils.sol.Solution._dsp_closed_add = self.original


class ChildDefaultsSeenInParentSearch:
    """
    Within this block a sub-dispatcher's defaults are seen at the distance they get in the shared search (where the
    child starts plus their initial distance), as Flowmark does on purpose (README, Coming from schedula). schedula
    pushes them on the fringe at that distance but remembers them as seen at the initial distance alone, so a
    closer producer of the same child node is not pushed and the node is visited at the default's distance.
    """

    def __enter__(self):
        Solution = sh.utils.sol.Solution
        self.original = original = Solution._init_sub_dsp

        def init_sub_dsp(sol, dsp, fringe, outputs, no_call, initial_dist, *args, **kw):
            child = original(sol, dsp, fringe, outputs, no_call, initial_dist, *args, **kw)
            for k in list(child.seen):
                if k is not sh.START:
                    child.seen[k] = initial_dist + child.seen[k]
            return child

        Solution._init_sub_dsp = init_sub_dsp
        return self

    def __exit__(self, *exc):
        sh.utils.sol.Solution._init_sub_dsp = self.original


RULES = [KeepFedInputs, CloseNestedLevels, ChildDefaultsSeenInParentSearch]


# ---------------------------------------------------------------- recording

def enc_id(k):
    if k is sh.START:
        return '<START>'
    if k is sh.SINK:
        return '<SINK>'
    if k is sh.SELF:
        return '<SELF>'
    return k


def enc_val(v):
    if v is sh.NONE:
        return '<NONE>'
    if isinstance(v, (list, tuple)):
        return [enc_val(x) for x in v]
    if isinstance(v, dict):
        return {str(enc_id(k)): enc_val(x) for k, x in v.items()}
    if isinstance(v, sh.Dispatcher):
        return '<Dispatcher>'
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return int(v)
    if v is None or isinstance(v, (int, float, str, bool)):
        return v
    return repr(v)


def enc_dist(v):
    if type(v).__name__ == 'inf':
        level, num = tuple(v)
        if level != 0:
            return {'inf': enc_dist(level), 'num': enc_dist(num)}
        v = num
    return int(v) if isinstance(v, float) and v == int(v) else v


def record_solution(sol):
    wf = sol.workflow
    out = {
        'values': [[enc_id(k), enc_val(v)] for k, v in sol.items()],
        'dist': [[enc_id(k), enc_dist(v)] for k, v in sol.dist.items()],
        'workflowNodes': [enc_id(k) for k in wf.nodes],
        'workflowEdges': [[enc_id(u), enc_id(v), enc_val(d['value']) if 'value' in d else '<NO VALUE>']
                          for u, v, d in wf.edges(data=True)] if callable(wf.edges) else
                         [[enc_id(u), enc_id(v), enc_val(d['value']) if 'value' in d else '<NO VALUE>']
                          for (u, v), d in wf.edges.items()],
        'errors': sorted(str(enc_id(k)) for k in sol._errors),
        'subSolutions': {},
    }
    for k, attr in wf.nodes.items():
        if 'solution' in attr and isinstance(attr['solution'], SOLUTION):
            out['subSolutions'][str(enc_id(k))] = record_solution(attr['solution'])
    return out


def record_model(dsp):
    """The structure of a model: nodes in order (with defaults), edges in order, sub-dispatchers recursively."""
    out = {'nodes': [], 'edges': [[enc_id(u), enc_id(v)] for u, v in dsp.dmap.edges], 'defaults': {}, 'subDispatchers': {}}
    for k, attr in dsp.nodes.items():
        out['nodes'].append(enc_id(k))
        if attr['type'] == 'dispatcher':
            out['subDispatchers'][str(enc_id(k))] = {
                'inputs': {str(enc_id(a)): enc_val(b) for a, b in attr['inputs'].items()},
                'outputs': {str(enc_id(a)): enc_val(b) for a, b in attr['outputs'].items()},
                'model': record_model(attr['function']),
            }
    for k, d in dsp.default_values.items():
        out['defaults'][str(enc_id(k))] = {'value': enc_val(d['value']), 'initialDist': enc_dist(d['initial_dist'])}
    return out


def record_error(ex):
    return {'error': type(ex).__name__, 'message': str(ex).strip().splitlines()[0] if str(ex).strip() else ''}


def run_call(dsp, call):
    opts = call.get('options', {})
    kw = {}
    if 'inputsDist' in opts:
        kw['inputs_dist'] = opts['inputsDist']
    if 'wildcard' in opts:
        kw['wildcard'] = opts['wildcard']
    if 'shrink' in opts:
        kw['shrink'] = opts['shrink']
    if 'noCall' in opts:
        kw['no_call'] = opts['noCall']
    if 'rmUnusedNodes' in opts:
        kw['rm_unused_nds'] = opts['rmUnusedNodes']
    try:
        sol = dsp.dispatch(call.get('inputs', {}), call.get('outputs'), **kw)
        return record_solution(sol)
    except Exception as ex:  # recorded as the answer
        return record_error(ex)


def write_case(name, data, compact=False):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'expected.json'), 'w') as f:
        if compact:  # one case a line
            f.write('{' + ',\n'.join(json.dumps(k) + ':' + (
                '[\n' + ',\n'.join(json.dumps(c, separators=(',', ':')) for c in v) + ']' if k == 'cases' else json.dumps(v))
                for k, v in data.items()) + '}')
        else:
            json.dump(data, f, indent=1, sort_keys=False)
        f.write('\n')


def dispatch_case(name, item, model, calls, note):
    dsp = build(model)
    write_case(name, {'item': item, 'note': note, 'model': model, 'calls': calls,
                      'answers': [run_call(dsp, c) for c in calls]})


# ---------------------------------------------------------------- the issue's repros

def F(id, fn, inputs, outputs, **kw):
    return dict({'function': id, 'fn': fn, 'inputs': inputs, 'outputs': outputs}, **kw)


def D(id, **kw):
    return dict({'data': id}, **kw)


def S(id, model, inputs, outputs, **kw):
    return dict({'dispatcher': id, 'model': model, 'inputs': inputs, 'outputs': outputs}, **kw)


def issue_cases():
    # 1. workflow node order with outputs; and a sub-dispatcher with an input domain feeding its child.
    dispatch_case('item-01-workflow-order', 1, {'nodes': [F('f0', 'add:1', ['d'], ['b']), F('f1', 'sum', ['b', 'd'], ['c'])]},
                  [{'inputs': {'d': -2}, 'outputs': ['c']}, {'inputs': {'d': -2}}],
                  'workflow nodes follow the successors of the graph pruned to the outputs')
    child = {'name': 'child', 'nodes': [F('g', 'sum', ['x', 'y'], ['z'])]}
    dispatch_case('item-01-sub-dispatcher-feed-order', 1, {'nodes': [
        F('f0', 'add:1', ['a'], ['b']),
        S('S', child, {'b': 'y', 'a': 'x'}, {'z': 'c'}, domain='hasall:a,b'),
        F('f1', 'neg', ['c'], ['d'])]},
        [{'inputs': {'a': 1}, 'outputs': ['d']}, {'inputs': {'a': 1}}],
        'the order in which a sub-dispatcher with a domain feeds its child inputs')
    # 2. noCall + wildcard: no value on the edge b -> f1.
    dispatch_case('item-02-nocall-wildcard', 2, {'nodes': [F('f1', 'add:1', ['b'], ['c'])]},
                  [{'inputs': {'b': 1}, 'outputs': ['b'], 'options': {'noCall': True, 'wildcard': True}}],
                  'a noCall dispatch stores no edge values, wildcard inputs included')
    # 3. a reached function whose outputs were already computed stays in the workflow.
    dispatch_case('item-03-reached-function-in-workflow', 3, {'nodes': [
        D('c', default=-1, initialDist=3),
        F('f0', 'add:1', ['c'], ['a'], weight=2), F('f3', 'sum', ['a', 'b'], ['c']), F('f5', 'neg', ['a'], ['c'], weight=4)]},
        [{'inputs': {'a': 1}, 'outputs': ['a'], 'options': {'wildcard': True}}],
        'f5 is in dist and in the workflow, with the edge a -> f5')
    # 4. edge values of a recomputed wildcard input.
    dispatch_case('item-04-wildcard-edge-values', 4, {'nodes': [
        D('c', default=-3), F('f0', 'sum', ['a', 'd'], ['c']), F('f1', 'add:1', ['c'], ['a']), F('f2', 'add:1', ['a'], ['d'])]},
        [{'inputs': {'a': 3}, 'outputs': ['a', 'd'], 'options': {'wildcard': True}}],
        'a -> f2 and a -> f0 keep the input value 3')
    # 5. shrink with sub-dispatchers.
    shrink_case('item-05a-shrink-sub-inputs', {'nodes': [
        S('S', {'name': 'child', 'nodes': [D('p'), D('r')]}, {'e': 'r', 'a': 'p'}, {'p': 'b'})]},
        {'inputs': {'e': 0, 'a': 5}, 'options': {'shrink': True, 'inputsDist': {'a': 2}}},
        'S starts at distance 2, its child solution is [p: 5], no edge e -> S')
    shrink_case('item-05b-shrink-defaults', {'nodes': [
        D('b', default=4), D('c', default=6),
        F('f0', 'sum', ['c', 'b'], ['d'], domain='gt:1:2'),
        S('S', {'name': 'child', 'nodes': [F('g', 'add:1', ['s'], ['r'])]}, {'a': 's'}, {'r': 'b'}, domain='has:a')]},
        {'inputs': {'d': 6}, 'outputs': ['d'], 'options': {'shrink': True}},
        'the solution is [d: 6]: the defaults b and c are pruned')
    shrink_case('item-05c-shrink-keeps-sub', {'nodes': [
        S('S', {'name': 'child', 'nodes': [D('s')]}, {'c': 's'}, {'s': 'b'}, domain='has:c')]},
        {'inputs': {'b': -3, 'c': 3}, 'options': {'shrink': True}},
        'S runs (the shrunk model keeps it)')
    inner = {'name': 'inner', 'nodes': [F('g', 'mul:10', ['a'], ['e'])]}
    middle = {'name': 'middle', 'nodes': [S('I', inner, {'x': 'a'}, {'e': 'e'}), F('h', 'add:1', ['e'], ['f'])]}
    shrink_case('item-05d-shrink-nested', {'nodes': [S('M', middle, {'x': 'x'}, {'e': 'y', 'f': 'z'})]},
                {'inputs': {'x': 1}, 'outputs': ['y'], 'options': {'shrink': True}},
                'nested sub-dispatchers under shrink keep the child output e = 10')
    # The documented shrink rule: a child output from a child default, the child fed only an unneeded input.
    shrink_case('rule-shrink-keeps-fed-inputs', {'nodes': [
        S('S', {'name': 'child', 'nodes': [D('k', default=7), D('p')]}, {'x': 'p'}, {'k': 'y'})]},
        {'inputs': {'x': 1}, 'outputs': ['y'], 'options': {'shrink': True}},
        'schedula shrinks S to no inputs, so it never starts and y is lost; without shrink y = 7',
        item='shrink rule')
    # 6. includeDefaults with one parent id mapped to several child ids.
    child6 = {'name': 'child', 'nodes': [D('a', default=5), F('f', 'sum', ['a', 'd'], ['r'])]}
    parent6 = {'nodes': [S('S', child6, {'c': ['d', 'a']}, {'r': 'r'}, includeDefaults=True)]}
    dsp = build(parent6)
    calls6 = [{'inputs': {'c': 1}}, {'inputs': {}}]
    write_case('item-06-include-defaults-fan-out', {'item': 6, 'model': parent6, 'calls': calls6,
                                                     'note': 'the child default of a stays: the first child id d had none',
                                                     'structure': record_model(dsp),
                                                     'answers': [run_call(dsp, c) for c in calls6]})
    # 7. a waiting data node lists the START estimation in arrival order.
    dispatch_case('item-07-wait-estimation-order', 7, {'nodes': [D('c', wait='dkeys'), F('f', 'add:1', ['a'], ['c'])]},
                  [{'inputs': {'a': 1, 'c': 2}}, {'inputs': {'c': 2, 'a': 1}}],
                  'estimations in arrival order, START first')
    # 12. addDispatcher with a mapped child id that is not a data node of the child.
    child12 = {'name': 'child', 'nodes': [F('g', 'add:1', ['a'], ['b'])]}
    parent12 = {'nodes': [S('S', child12, {'x': 'a', 'y': 'zz'}, {'b': 'b', 'qq': 'q'})]}
    try:
        dsp = build(parent12)
        write_case('item-12-unknown-child-id', {'item': 12, 'model': parent12, 'note': 'schedula accepts unknown child ids',
                                                'structure': record_model(dsp),
                                                'calls': [{'inputs': {'x': 1, 'y': 2}}],
                                                'answers': [run_call(dsp, {'inputs': {'x': 1, 'y': 2}})]})
    except Exception as ex:
        write_case('item-12-unknown-child-id', {'item': 12, 'model': parent12, 'build': record_error(ex)})
    # Probing: a negative-weight cycle.
    dispatch_case('probe-negative-cycle', 'negative-weight cycle', {'nodes': [
        F('f0', 'add:1', ['a'], ['b']), F('f1', 'add:1', ['b'], ['a'], weight=-10), F('f2', 'add:1', ['b'], ['c'], weight=100)]},
        [{'inputs': {'a': 1}, 'outputs': ['a', 'c'], 'options': {'wildcard': True}}, {'inputs': {'a': 1}}],
        'the recomputed wildcard input a reaches the visited f0 at a shorter distance: schedula raises its '
        '"Contradictory paths found: negative weights?" DispatcherError (without the wildcard no visited node is '
        'reached again, and both agree)')


def shrink_case(name, model, call, note, item=5):
    dsp = build(model)
    o = call.get('options', {})
    # dispatch(shrink=True) shrinks with the dispatch's wildcard (default False), not shrink_dsp's default (True).
    wildcard = o.get('wildcard', False)

    def shrunk():
        return record_model(build(model).shrink_dsp(list(call.get('inputs', {})), call.get('outputs'),
                                                    inputs_dist=o.get('inputsDist'), wildcard=wildcard))
    plain = dict(call, options={k: v for k, v in o.items() if k != 'shrink'})
    data = {'item': item, 'note': note, 'model': model, 'calls': [call, plain],
            'shrinkDsp': {'inputs': list(call.get('inputs', {})), 'outputs': call.get('outputs'),
                          'inputsDist': o.get('inputsDist'), 'wildcard': wildcard, 'model': shrunk()},
            'answers': [run_call(dsp, call), run_call(dsp, plain)]}
    with KeepFedInputs():
        ruled = {'shrinkDsp': shrunk(), 'answer': run_call(build(model), call)}
    if ruled['answer'] != data['answers'][0]:
        data['keepFedInputs'] = ruled
    write_case(name, data)


def wrapper_cases():
    # 8. SubDispatchFunction: a named extra input is an input, never recomputed.
    m8 = {'name': 'm', 'nodes': [F('f', 'add:10', ['a'], ['c']), F('g', 'add:100', ['c'], ['d'])]}
    fn = sh.SubDispatchFunction(build(m8), 'F', ['a'], ['c', 'd'])
    write_case('item-08-sub-dispatch-function-extra-input', {
        'item': 8, 'model': m8, 'wrapper': {'id': 'F', 'inputs': ['a'], 'outputs': ['c', 'd']},
        'note': 'F(1, c=3) takes c as an input',
        'answers': [{'call': {'args': [1]}, 'result': enc_val(fn(1))},
                    {'call': {'args': [1], 'named': {'c': 3}}, 'result': enc_val(fn(1, c=3))}]})
    # 9. MapDispatch with a single input set; its default name.
    m9 = {'name': 'adder', 'nodes': [F('f', 'sum', ['a', 'b'], ['c'])]}
    mf = sh.MapDispatch(build(m9), constructor_kwargs={'outputs': ['c'], 'output_type': 'list'})
    write_case('item-09-map-dispatch-single', {
        'item': 9, 'model': m9, 'wrapper': {'factoryOptions': {'outputs': ['c'], 'outputType': 'list'}},
        'note': 'one input set works as several do; the default name is the model name',
        'name': mf.name,
        'answers': [{'call': {'inputsList': [{'a': 1, 'b': 2}]}, 'result': enc_val(mf([{'a': 1, 'b': 2}]))},
                    {'call': {'inputsList': [{'a': 1}], 'defaults': {'b': 5}}, 'result': enc_val(mf([{'a': 1}], {'b': 5}))},
                    {'call': {'inputsList': [{'a': 1, 'b': 2}, {'a': 3, 'b': 4}]},
                     'result': enc_val(mf([{'a': 1, 'b': 2}, {'a': 3, 'b': 4}]))}]})
    # 10. getSubDsp with an id the model does not have.
    m10 = {'nodes': [F('f', 'add:1', ['a'], ['b']), F('g', 'add:1', ['b'], ['c'])]}
    try:
        unknown = record_model(build(m10).get_sub_dsp(['a', 'f', 'b', 'zz']))
    except Exception as ex:
        unknown = record_error(ex)
    write_case('item-10-get-sub-dsp-unknown-id', {
        'item': 10, 'model': m10, 'note': 'schedula 1.5.78 raises (ValueError: Path [zz] does not exist), it does not '
                                          'ignore the unknown id as the issue says',
        'answers': [{'nodes': ['a', 'f', 'b', 'zz'], 'result': unknown},
                    {'nodes': ['a', 'f', 'b'], 'result': record_model(build(m10).get_sub_dsp(['a', 'f', 'b']))}]})
    # 11. DispatcherError.solution under raises from a nested SubDispatchFunction.
    inner = {'name': 'inner', 'raises': True, 'nodes': [F('h', 'fail', ['x'], ['y'])]}
    outer = {'name': 'outer', 'raises': True, 'nodes': [F('pre', 'add:1', ['a'], ['x'])]}
    odsp = build(outer)
    ifn = sh.SubDispatchFunction(build(inner), 'I', ['x'], ['y'])
    odsp.add_function('I', ifn, ['x'], ['y'])
    try:
        odsp.dispatch({'a': 1})
        answer = {'error': None}
    except sh.DispatcherError as ex:
        answer = {'error': type(ex).__name__, 'solutionOf': ex.sol.dsp.name, 'solution': record_solution(ex.sol),
                  'rootIsDispatched': ex.sol is odsp.solution}
    write_case('item-11-raises-nested-solution', {
        'item': 11, 'model': outer, 'inner': inner, 'wrapper': {'id': 'I', 'inputs': ['x'], 'outputs': ['y'], 'asNode': 'I'},
        'note': "the error's solution is the root's; the partial solution has no NONE edge values",
        'call': {'inputs': {'a': 1}}, 'answer': answer})


def helper_cases():
    # combine_nested_dicts with depth and base.
    a = {'a': {'b': {'c': 1, 'd': 2}}, 'x': 1}
    b = {'a': {'b': {'c': 3}, 'e': 4}, 'x': {'y': 5}}
    answers = []
    for depth in (-1, 0, 1, 2, 3):
        answers.append({'dicts': [a, b], 'depth': depth, 'result': sh.combine_nested_dicts(a, b, depth=depth)})
    base = {'a': {'b': 0, 'z': 9}, 'q': 1}
    r = sh.combine_nested_dicts({'a': {'b': {'c': 1}}}, {'q': {'r': 2}}, base=json.loads(json.dumps(base)))
    answers.append({'dicts': [{'a': {'b': {'c': 1}}}, {'q': {'r': 2}}], 'base': base, 'result': r})
    r = sh.combine_nested_dicts({'a': {'b': {'c': 1}}}, base=json.loads(json.dumps(base)), depth=1)
    answers.append({'dicts': [{'a': {'b': {'c': 1}}}], 'base': base, 'depth': 1, 'result': r})
    write_case('helper-combine-nested-dicts', {
        'note': 'combine_nested_dicts(*dicts, depth, base): depth limits the key-path length merged (1 = shallow, '
                '0 = nothing), base is updated in place and returned', 'answers': answers})
    # first_arg_as_kw for SubDispatchFunction and SubDispatchPipe.
    m = {'name': 'm', 'nodes': [D('k', default=10), F('f', 'sum', ['a', 'b', 'k'], ['c'])]}
    calls = [{'named': {'b': 2}, 'args': [1]}, {'named': {'a': 1, 'b': 2}, 'args': []},
             {'named': {'k': 0}, 'args': [1, 2]}, {'named': {'a': 5}, 'args': [1]}, {'named': {}, 'args': [1, 2]}]

    def call_all(fn):
        out = []
        for c in calls:
            try:
                out.append({'call': c, 'result': enc_val(fn(c['named'], *c['args']))})
            except Exception as ex:
                out.append({'call': c, 'result': record_error(ex)})
        return out
    f = sh.SubDispatchFunction(build(m), 'F', ['a', 'b'], ['c'], first_arg_as_kw=True)
    p = sh.SubDispatchPipe(build(m), 'P', ['a', 'b'], ['c'], first_arg_as_kw=True)
    write_case('helper-first-arg-as-kw', {
        'model': m, 'wrapper': {'inputs': ['a', 'b'], 'outputs': ['c']},
        'note': 'the first argument holds inputs by name; SubDispatchFunction also takes other data nodes (k), '
                'SubDispatchPipe only its parameters',
        'subDispatchFunction': call_all(f), 'subDispatchPipe': call_all(p)})


# ---------------------------------------------------------------- random models

VOCAB = ['sum', 'neg', 'add:1', 'add:2', 'mul:2', 'const:3', 'const:-1', 'fail']


def gen_model(rng, depth, ids):
    nodes = []
    n_data = rng.randint(3, len(ids))
    data = ids[:n_data]
    for d in data:
        attrs = {}
        if rng.random() < 0.3:
            attrs['default'] = rng.randint(-5, 5)
            if rng.random() < 0.3:
                attrs['initialDist'] = rng.randint(1, 3)
        if rng.random() < 0.1:
            attrs['wait'] = rng.choice(['dsum', 'dmin'])
        if rng.random() < 0.05:
            attrs['wildcard'] = False
        if attrs:
            nodes.append(D(d, **attrs))
    funcs = []
    for i in range(rng.randint(2, 6)):
        ins = rng.sample(data, rng.randint(1, 2))
        free = [d for d in data if d not in ins]
        outs = rng.sample(free, rng.randint(1, min(2, len(free))))
        fn = rng.choice(VOCAB)
        kw = {}
        if rng.random() < 0.4:
            kw['weight'] = rng.randint(0, 4)
        if rng.random() < 0.2:
            kw['domain'] = 'gt:%d:%d' % (rng.randrange(len(ins)), rng.randint(-2, 2))
        funcs.append(F('f%d' % i, fn, ins, outs, **kw))
    subs = []
    if depth < 2 and rng.random() < (0.6 if depth == 0 else 0.3):
        for j in range(rng.randint(1, 2 if depth == 0 else 1)):
            child = gen_model(rng, depth + 1, ['p', 'q', 'r', 's', 't'])
            child['name'] = 'child%d%d' % (depth, j)
            cdata = child_data(child)
            inputs = {}
            for pid in rng.sample(data, rng.randint(1, 2)):
                inputs[pid] = rng.choice(cdata)
            outputs = {}
            for cid in rng.sample(cdata, rng.randint(1, 2)):
                outputs[cid] = rng.choice(data)
            kw = {}
            if rng.random() < 0.3:
                kw['domain'] = 'has:' + rng.choice(list(inputs))
            if rng.random() < 0.3:
                kw['weight'] = rng.randint(0, 3)
            subs.append(S('S%d%d' % (depth, j), child, inputs, outputs, **kw))
    rest = funcs + subs
    rng.shuffle(rest)
    return {'nodes': nodes + rest}


def child_data(model):
    seen = []
    for n in model['nodes']:
        ids = [n['data']] if 'data' in n else (n['inputs'] + n['outputs'] if 'function' in n else
                                              list(n['inputs']) + list(n['outputs'].values()))
        for i in ids:
            if i not in seen:
                seen.append(i)
    return seen


def gen_call(rng, model):
    data = child_data(model)
    call = {'inputs': {i: rng.randint(-4, 6) for i in rng.sample(data, rng.randint(1, min(3, len(data))))}}
    if rng.random() < 0.6:
        call['outputs'] = rng.sample(data, rng.randint(1, 2))
    opts = {}
    if rng.random() < 0.4:
        opts['shrink'] = True
    if rng.random() < 0.2 and 'outputs' in call:
        opts['wildcard'] = True
    if rng.random() < 0.2:
        k = rng.choice(list(call['inputs']))
        opts['inputsDist'] = {k: rng.randint(1, 3)}
    if opts:
        call['options'] = opts
    return call


def random_cases(n, seed):
    cases = []
    for i in range(n):
        rng = random.Random('%d:%d' % (seed, i))
        model = gen_model(rng, 0, ['a', 'b', 'c', 'd', 'e', 'f', 'g'])
        model['name'] = 'm%d' % i
        calls = [gen_call(rng, model) for _ in range(2)]
        try:
            dsp = build(model)
        except Exception as ex:
            cases.append({'case': i, 'model': model, 'build': record_error(ex)})
            continue
        case = {'case': i, 'model': model, 'calls': calls, 'answers': [run_call(dsp, c) for c in calls]}
        with KeepFedInputs(), CloseNestedLevels(), ChildDefaultsSeenInParentSearch():
            ruled = {str(j): {'answer': a} for j, a in enumerate(run_call(build(model), c) for c in calls)
                     if a != case['answers'][j]}
        for j, r in ruled.items():  # which rules change the answer on their own
            r['rules'] = []
            for rule in RULES:
                with rule():
                    if run_call(build(model), calls[int(j)]) != case['answers'][int(j)]:
                        r['rules'].append(rule.__name__)
        if ruled:  # calls whose answer the documented rules change: Flowmark must give these instead
            case['documentedRules'] = ruled
        cases.append(case)
    return cases


def main():
    global sh
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--schedula', default='/work/schedula-src', help='folder holding the schedula package')
    ap.add_argument('--random', type=int, default=400, help='how many random models')
    ap.add_argument('--seed', type=int, default=15)
    args = ap.parse_args()
    sys.path.insert(0, args.schedula)
    import logging
    logging.disable(logging.CRITICAL)
    import schedula
    sh = schedula
    global SOLUTION
    from schedula.utils.sol import Solution
    SOLUTION = Solution
    issue_cases()
    wrapper_cases()
    helper_cases()
    cases = random_cases(args.random, args.seed)
    write_case('random', {'schedula': sh.__version__, 'seed': args.seed, 'count': len(cases),
                          'note': 'seeded random models (with sub-dispatchers, shrink, waiting inputs, domains, '
                                  'defaults, weights, failing functions) and schedula\'s answers', 'cases': cases}, compact=True)
    print('recorded %d random cases (schedula %s) into %s' % (len(cases), sh.__version__, OUT))


if __name__ == '__main__':
    main()
