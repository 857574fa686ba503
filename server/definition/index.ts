/**
 * The definition module's public surface (DESIGN §3): read `.gitpod.yml` or
 * `devcontainer.json` into one WorkspaceSpec, with positioned diagnostics.
 * Other modules import from here only.
 */
export * from './model.js';
export { parseDefinition, formatOfFile, formatDiagnostic, type ParseOptions } from './parse.js';
export { discoverDefinition, listerForDirectory, pickDefinitionFile, type DefinitionLister } from './discover.js';
export { specToJSON, definitionHash, prebuildRelevantHash, prebuildRelevantParts, canonicalJSON } from './hash.js';
export { resolveContainerEnv, resolveContainerEnvDeep, resolveSpecContainerEnv, serverSubstitution, type SubstitutionOptions } from './substitute.js';
export { MAX_DEFINITION_BYTES, MAX_YAML_ALIASES } from './limits.js';
export { LARGE_RANGE_PORTS, portMatches } from './ports.js';
export { isImageReference } from './paths.js';
export {
  imageReferenceRefusal,
  imagePosition,
  positionPrefix,
  splitImageReference,
  withExplicitTag,
  SLIPWAY_IMAGE_REPOSITORY_PREFIXES,
  type SourcePosition,
} from './image-policy.js';
export { gitpodSchema } from './schema-check.js';
