/** Where Slipway's own files live inside a container. */
import { CA_FILE, INSTALLED } from '../images/ca-layer.js';

export const SLIPWAY_DIR = '/.slipway';
/** The extra CA bundle (NODE_EXTRA_CA_CERTS points here); the CA layer puts it in the same place. */
export const EXTRA_CA_PATH = CA_FILE;
/** A copy of the bundle once the distro trusts it: the per-start install is skipped when it matches. */
export const EXTRA_CA_INSTALLED = INSTALLED;
