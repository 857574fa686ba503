/** Prebuild routes live with the project routes (one module, shared helpers); this name is kept for the layout in the brief. */
export { registerPrebuildRoutes } from './project-routes.js';
