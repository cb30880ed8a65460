// The OpenAPI 3.1 document of a served model: its inputs and outputs as schemas, the endpoints and their error answers.
import type { Dispatcher } from '../dispatcher.ts'
import { writeId } from '../portable/format.ts'
import { encodeValue } from '../portable/values.ts'

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it), as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>> | boolean

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** `info.title` (default: the model's name, or `Flowmark model`). */
  readonly title?: string
  /** `info.version` (default `1.0.0`): the version of the service's API, not of flowmark. */
  readonly version?: string
  /**
   * JSON Schemas of data nodes, by id, for models whose nodes declare none (a TypeScript model's types are gone at run
   * time). A data node's own `attributes.schema` (in code or in the portable model) is used when this gives none.
   */
  readonly schemas?: Readonly<Record<string, JsonSchema>>
  /** Whether the endpoints need `Authorization: Bearer <token>` (adds the security scheme). */
  readonly bearer?: boolean
  /** Whether `GET /` and `GET /model.svg` draw the model (a viewer is installed) — only changes their descriptions. */
  readonly viewer?: boolean
}

function problem(description: string): Record<string, unknown> {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
}

function partial(description: string): Record<string, unknown> {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Solution' } } } }
}

/** The schema of one data node: declared (option or `attributes.schema`), with its description and default. */
function nodeSchema(model: Dispatcher, id: string, declared: JsonSchema | undefined, withDefault: boolean): JsonSchema {
  const node = model.dataNodes.get(id)!
  const fromNode = node.attributes.schema
  const base =
    declared ??
    (typeof fromNode === 'object' && fromNode !== null && !Array.isArray(fromNode)
      ? (fromNode as Record<string, unknown>)
      : typeof fromNode === 'boolean'
        ? fromNode
        : undefined)
  if (typeof base === 'boolean') return base
  const out: Record<string, unknown> = { ...(base ?? {}) }
  if (node.description !== undefined && out.description === undefined) out.description = node.description
  const dflt = model.defaultValues.get(id)
  if (withDefault && dflt !== undefined && out.default === undefined) {
    try {
      out.default = encodeValue(dflt.value)
    } catch {
      // a default JSON cannot carry is not shown
    }
  }
  return out
}

/** An example request: each node's `attributes.example` when it has one. */
function exampleInputs(model: Dispatcher, ids: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const id of ids) {
    const ex = model.dataNodes.get(id)!.attributes.example
    if (ex === undefined) continue
    try {
      Object.defineProperty(out, writeId(id), { value: encodeValue(ex), enumerable: true, writable: true, configurable: true })
    } catch {
      // not JSON: left out of the example
    }
  }
  return out
}

/**
 * The OpenAPI 3.1 document of the service `createApp(model)` makes: `POST /dispatch` with the model's data nodes as the
 * properties of `inputs` and of the solution's `values` (with the JSON Schemas declared for them), the outputs a
 * request may name, every error answer (400, 401, 413, 415, 422, 424, 499, 504) as `application/problem+json` or a
 * partial solution, and `GET /model`, `/health`, `/openapi.json`, `/`, `/model.svg`, `/reference`.
 */
export function openApiDocument(model: Dispatcher, options: OpenApiOptions = {}): Record<string, unknown> {
  const ids = [...model.dataNodes.keys()].filter((k): k is string => typeof k === 'string')
  const title = options.title ?? (model.name !== '' ? model.name : 'Flowmark model')
  const doc: Record<string, unknown> = {
    openapi: '3.1.0',
    info: {
      title,
      version: options.version ?? '1.0.0',
      description:
        (model.name !== '' ? `The Flowmark model \`${model.name}\` as a web service. ` : 'A Flowmark model as a web service. ') +
        'Give any subset of the inputs; the dispatcher computes the outputs along the cheapest path, with fallbacks.',
    },
    paths: { '/dispatch': dispatchPath(model, ids, options), ...otherPaths(options) },
    components: components(model, ids, options),
  }
  if (options.bearer === true) doc.security = [{ bearer: [] }]
  return doc
}

/** `POST /dispatch`: the request (with an example from the nodes' `attributes.example`) and every answer. */
function dispatchPath(model: Dispatcher, ids: readonly string[], options: OpenApiOptions): Record<string, unknown> {
  const requestExample: Record<string, unknown> = { inputs: exampleInputs(model, ids) }
  return {
    post: {
      operationId: 'dispatch',
      summary: 'Dispatch the model',
      description:
        'Runs the model on the inputs and answers its solution: values, errors per node and distances (`dist`); ' +
        'the workflow too with `options.workflow`. Values JSON cannot carry use `{"$type": …}` tags, as in portable models.',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/DispatchRequest' }, example: requestExample } },
      },
      responses: dispatchResponses(options),
    },
  }
}

/** The answers of `POST /dispatch`: the solution (or a stream of events), the problems, and the partial solutions. */
function dispatchResponses(options: OpenApiOptions): Record<string, unknown> {
  return {
    '200': {
      description:
        'Every requested output was computed (or none was requested and the dispatch finished). With `Accept: text/event-stream`, ' +
        "the answer is a stream of progress events (`start`, `finish`, `fail`, `skip`, `discard`, `abort`, each with the node's `path`) ending with a `solution` event whose data is the solution with its `status`.",
      headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } },
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Solution' } },
        'text/event-stream': { schema: { type: 'string', description: 'Server-sent events: progress, then `event: solution`.' } },
      },
    },
    '400': problem(
      'The body is not JSON, or not of the shape `{ inputs, outputs?, options? }`; `pointer` is the JSON pointer of the problem.',
    ),
    ...(options.bearer === true ? { '401': problem('The `Authorization: Bearer <token>` header is missing or wrong.') } : {}),
    '413': problem("The body is larger than the server's limit."),
    '415': problem('The body is not `application/json`.'),
    '422': problem('The inputs or outputs name nodes the model does not have (`unknown` lists them).'),
    '424': partial('A requested output could not be computed, or a critical node failed: the partial solution, with the errors.'),
    '499': problem('The client closed the connection: the dispatch was aborted (nobody reads this answer; it is logged).'),
    '500': problem('The solution could not be written as JSON, or the server failed.'),
    '504': partial('The dispatch timeout expired: the partial solution, with the errors.'),
  }
}

/** The `GET` endpoints: the portable model, its drawing, the viewer and reference pages, this document, health. */
function otherPaths(options: OpenApiOptions): Record<string, unknown> {
  return {
    '/model': {
      get: {
        operationId: 'getModel',
        summary: 'The portable JSON model',
        responses: {
          '200': {
            description: 'The model as a portable document (format 1); functions without a reference are written `"ref": null`.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['flowmark', 'nodes'],
                  description: 'Its JSON Schema: https://flowmark.dev/schema/model-1.json (also `flowmark/portable/schema.json`).',
                },
              },
            },
          },
        },
      },
    },
    '/model.svg': {
      get: {
        operationId: 'getModelSvg',
        summary: 'The model drawn as SVG',
        responses: {
          '200': {
            description: "The model's graph, laid out by Graphviz.",
            content: { 'image/svg+xml': { schema: { type: 'string' } } },
          },
          '501': problem('No viewer is installed (`npm install @flowmark/docs`).'),
        },
      },
    },
    '/': {
      get: {
        operationId: 'getViewer',
        summary:
          options.viewer === false ? 'What the service offers, and how to install the graph viewer' : 'The interactive graph of the model',
        responses: { '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/reference': {
      get: {
        operationId: 'getReference',
        summary: 'A readable reference of this API',
        responses: {
          '200': { description: 'An HTML page drawing this document.', content: { 'text/html': { schema: { type: 'string' } } } },
          '501': problem('No viewer is installed (`npm install @flowmark/docs`).'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/health': {
      get: {
        operationId: 'getHealth',
        summary: 'Liveness',
        security: [],
        responses: {
          '200': {
            description: 'The service runs.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
          },
        },
      },
    },
  }
}

/** The request-id header and the schemas: the inputs and values (one property per data node), request, solution, problem. */
function components(model: Dispatcher, ids: readonly string[], options: OpenApiOptions): Record<string, unknown> {
  const props = (withDefault: boolean): Record<string, JsonSchema> => {
    const p: Record<string, JsonSchema> = {}
    for (const id of ids) {
      const schema = nodeSchema(model, id, options.schemas?.[id], withDefault)
      Object.defineProperty(p, writeId(id), { value: schema, enumerable: true, writable: true, configurable: true })
    }
    return p
  }
  return {
    headers: {
      RequestId: {
        description: "The request id (the client's `X-Request-Id` when it is a safe token, else a new UUID).",
        schema: { type: 'string' },
      },
    },
    schemas: {
      Inputs: { type: 'object', description: 'Data id → value.', properties: props(true), additionalProperties: false },
      Values: {
        type: 'object',
        description: 'Data id → value, in computation order.',
        properties: props(false),
        additionalProperties: true,
      },
      DispatchRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          inputs: { $ref: '#/components/schemas/Inputs' },
          outputs: {
            type: ['array', 'null'],
            items: { enum: ids.map(writeId) },
            description: 'The outputs wanted (default: everything reachable).',
          },
          options: {
            type: 'object',
            additionalProperties: false,
            properties: {
              timeout: { type: 'number', exclusiveMinimum: 0, description: 'Milliseconds for this dispatch (bounded by the server).' },
              concurrency: { type: 'integer', minimum: 1, description: 'Most function calls running at once (bounded by the server).' },
              workflow: { type: 'boolean', description: 'Add the workflow to the answer.' },
              wildcard: { enum: [true, false, 'producible'] },
              shrink: { type: 'boolean' },
              rmUnusedNodes: { type: 'boolean' },
            },
          },
        },
      },
      Solution: {
        type: 'object',
        required: ['values', 'errors', 'dist'],
        properties: {
          status: { type: 'integer', description: 'The HTTP status of the answer (in the final event of a stream, too).' },
          values: { $ref: '#/components/schemas/Values' },
          errors: {
            type: 'object',
            additionalProperties: { type: 'string' },
            description: 'Node id → what failed there (the message; never a stack).',
          },
          dist: { type: 'object', description: 'Node id → distance at which it was reached, in visit order.' },
          missing: { type: 'array', items: { type: 'string' }, description: 'Requested outputs that were not computed.' },
          subSolutions: { type: 'object' },
          workflow: {
            type: 'object',
            properties: {
              nodes: { type: 'array', items: { type: 'object' } },
              edges: { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } } },
            },
          },
          detail: { type: 'string', description: 'Why the dispatch stopped, for 424 and 504.' },
          requestId: { type: 'string' },
        },
      },
      Problem: {
        type: 'object',
        required: ['status', 'title', 'detail'],
        description: 'An error answer (RFC 9457 problem details).',
        properties: {
          status: { type: 'integer' },
          title: { type: 'string' },
          detail: { type: 'string', description: 'What went wrong and how to fix it.' },
          pointer: { type: 'string', description: 'JSON pointer (RFC 6901) of the problem in the request body.' },
          unknown: { type: 'array', items: { type: 'string' }, description: 'For 422: the node ids the model does not have.' },
          requestId: { type: 'string' },
        },
      },
      Health: {
        type: 'object',
        properties: { status: { const: 'ok' }, model: { type: 'string' }, viewer: { type: ['string', 'null'] } },
      },
    },
    ...(options.bearer === true ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
  }
}
