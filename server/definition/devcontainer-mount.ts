/**
 * `workspaceMount` of devcontainer.json: Slipway copies a checkout to the
 * mount's target instead of mounting anything, so only the target matters;
 * a host folder (bind) or a named volume as the source is ignored, with a
 * warning that says so.
 */

/** Fields of a `--mount` style string (`source=…,target=…,type=bind`), keys lower-cased. */
function mountFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return fields;
}

/** The absolute target of a workspaceMount string, or null (warned about through `warn`). */
export function workspaceMountTarget(text: string, warn: (message: string) => void): string | null {
  const fields = mountFields(text);
  const written = fields['target'] ?? fields['dst'] ?? fields['destination'];
  const target = written && written.startsWith('/') && !written.includes('${') ? written.replace(/(.)\/+$/, '$1') : null;
  if (target === null) {
    warn('`workspaceMount` has no absolute `target=`; Slipway ignores it and uses `workspaceFolder` or /workspaces/<repository>');
    return null;
  }
  const source = fields['source'] ?? fields['src'];
  if (source !== undefined || (fields['type'] ?? 'bind') !== 'bind') {
    warn(
      `Slipway does not mount host folders or volumes: the source${source ? ` ${JSON.stringify(source)}` : ''} is ignored and the repository is checked out into ${target}`,
    );
  }
  return target;
}
