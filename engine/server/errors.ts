// Errors of `flowmark/server`: a missing optional package, and bad server options.
import { FlowmarkError, nameError } from '../errors.ts'

/**
 * `flowmark/server` cannot start: an optional package it runs on (`hono`, `@hono/node-server`) is not installed, or
 * the viewer provider named for `flowmark serve --viewer` does not load. The message says what to install.
 */
export class ServerSetupError extends FlowmarkError {
  static {
    nameError(this, 'ServerSetupError')
  }
}

/** An option of `createApp` or `serve` is invalid: the message names the option, the value given and what it takes. */
export class ServerOptionError extends FlowmarkError {
  static {
    nameError(this, 'ServerOptionError')
  }
}
