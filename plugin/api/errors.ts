// Typed errors of the API generator: what went wrong, where, and how to fix it.
import { nameError } from 'flowmark'
import { FlowmarkPluginError } from '../core/errors.ts'

/** Base class of the API generator's errors. */
export class ApiError extends FlowmarkPluginError {
  static {
    nameError(this, 'ApiError')
  }
}

/** TypeDoc could not convert the entry points, or the options are wrong. */
export class ApiExtractionError extends ApiError {
  static {
    nameError(this, 'ApiExtractionError')
  }
  /** TypeDoc's error and warning messages, in order. */
  readonly messages: readonly string[]
  /**
   * @param message What went wrong and how to fix it.
   * @param messages TypeDoc's log lines, appended to the message.
   */
  constructor(message: string, messages: readonly string[] = []) {
    super(messages.length > 0 ? `${message}\n${messages.map((m) => `  ${m}`).join('\n')}` : message)
    this.messages = messages
  }
}

/** Two pages would get the same slug (two entry points with the same name, or a module named like an item page). */
export class ApiSlugCollisionError extends ApiError {
  static {
    nameError(this, 'ApiSlugCollisionError')
  }
}

/** A documented module could not be imported to discover its dispatchers. */
export class ApiDiscoveryError extends ApiError {
  static {
    nameError(this, 'ApiDiscoveryError')
  }
}
