// The help text of `flowmark serve` and its default viewer, apart so that the CLI shows them without loading the server.

/** The viewer `flowmark serve` loads when `--viewer` is not given (and goes without, with a note, when it is not installed). */
export const DEFAULT_VIEWER = '@flowmark/docs/server#docsViewer'

/** The part of `flowmark --help` about `serve`. */
export const SERVE_USAGE = `  flowmark serve <model.json | module#export> [--port 3000] [--host 127.0.0.1] [--token <secret>]
               [--cors <origin,…>] [--timeout <ms>] [--body-limit <bytes>] [--concurrency N]
               [--executor async | workers [--workers N]] [--viewer <module#export | none>] [--title <text>] [--log]
      Serve the model as a web service: POST /dispatch (JSON, or progress events with Accept: text/event-stream),
      GET /openapi.json, /reference, /model, /model.svg, / (the graph) and /health. Binds 127.0.0.1 unless --host
      says otherwise; --token (or FLOWMARK_TOKEN) requires "Authorization: Bearer <token>"; CORS is off unless
      --cors names origins; bodies are limited to 1 MiB and dispatches to 30 s by default. The graph pages come
      from a viewer provider, ${DEFAULT_VIEWER} by default (npm install @flowmark/docs). Ctrl-C stops.
`
