// Typed errors of the directive core and its adapters: bad plugin options and failed builds.
import { FlowmarkError, nameError } from 'flowmark'

/** Base class of the errors thrown by Flowmark's Markdown plugins. */
export class FlowmarkPluginError extends FlowmarkError {
  static {
    nameError(this, 'FlowmarkPluginError')
  }
}

/**
 * Thrown when a plugin is configured with an unknown option or a value of the wrong type. The message names the
 * option, says what was expected and lists the valid options.
 */
export class PluginOptionsError extends FlowmarkPluginError {
  static {
    nameError(this, 'PluginOptionsError')
  }
}
