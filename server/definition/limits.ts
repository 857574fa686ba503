/**
 * Bounds on what a definition file may cost to read. Definitions come from
 * any repository a user opens, so parsing must stay cheap whatever the file.
 */

/** Largest definition file read (1 MiB); real ones are a few KiB. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

/**
 * Most YAML alias expansions allowed when converting a document (the `yaml`
 * package's `maxAliasCount`): enough for real `<<: *defaults` reuse, far too
 * few for a "billion laughs" file to blow up memory.
 */
export const MAX_YAML_ALIASES = 100;

/** Most syntax errors reported for one file; after that they are noise. */
export const MAX_SYNTAX_ERRORS = 20;
