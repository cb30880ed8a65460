// Typed errors of the directive core and its adapters: bad plugin options and failed builds.

/** Base class of the errors thrown by Flowmark's Markdown plugins. */
export class FlowmarkPluginError extends Error {
  override name = 'FlowmarkPluginError'
}

/**
 * Thrown when a plugin is configured with an unknown option or a value of the wrong type. The message names the
 * option, says what was expected and lists the valid options.
 */
export class PluginOptionsError extends FlowmarkPluginError {
  override name = 'PluginOptionsError'
}
