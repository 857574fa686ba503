/**
 * Building a Dockerfile whose outside images were mapped to others (alias
 * map, Gitpod's local equivalent): the Dockerfile text is rewritten and put
 * into the build context in place of the original, so the repository's own
 * file and the rest of the context stay as they are.
 */
import { Readable } from 'node:stream';
import { createTar } from '../core/tar.js';

/**
 * `FROM <image>` and `COPY|ADD --from=<image>` with each mapped image replaced,
 * matched as written (a name built from an ARG is left as it is). Line
 * structure is kept, so the builder's step numbers and messages still match
 * the repository's file.
 */
export function rewriteImageRefs(text: string, mapping: ReadonlyMap<string, string>): string {
  if (mapping.size === 0) return text;
  return text
    .split(/(\r?\n)/)
    .map((line) => {
      const from = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$/i.exec(line);
      if (from && mapping.has(from[2]!)) return `${from[1]}${mapping.get(from[2]!)}${from[3]}`;
      return line.replace(/(^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*?--from=)(\S+)/i, (whole, head: string, ref: string) =>
        mapping.has(ref) ? `${head}${mapping.get(ref)}` : whole,
      );
    })
    .join('');
}

const BLOCK = 512;

function octal(block: Buffer, offset: number, length: number): number {
  const text = block
    .toString('ascii', offset, offset + length)
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** The `path=` record of a pax extended header, if any. */
function paxPath(data: Buffer): string | null {
  let rest = data.toString('utf8');
  while (rest.length > 0) {
    const space = rest.indexOf(' ');
    const length = Number(rest.slice(0, space));
    if (!Number.isInteger(length) || length <= 0) return null;
    const record = rest.slice(space + 1, length - 1);
    if (record.startsWith('path=')) return record.slice('path='.length);
    rest = rest.slice(length);
  }
  return null;
}

const clean = (p: string) => p.replace(/^(\.\/)+/, '');

/**
 * A tar stream with the regular file `path` replaced by `content` (or added
 * at the end when absent). Streams: only the headers are looked at, and the
 * data of the replaced entry is skipped.
 */
export function replaceTarEntry(input: Readable, path: string, content: Buffer): Readable {
  const wanted = clean(path);
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  // In place: the original header (its name, prefix or pax path, mode, owner) with the new size.
  const replace = (header: Buffer): Buffer => {
    const copy = Buffer.from(header);
    copy.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
    copy.write('        ', 148, 8, 'ascii');
    let sum = 0;
    for (const byte of copy) sum += byte;
    copy.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
    return Buffer.concat([copy, content, padding]);
  };
  // Absent (not expected: the Dockerfile was read from this very tree): added at the end.
  const append = (): Buffer => {
    const tar = createTar([{ name: wanted, content }]);
    return tar.subarray(0, tar.length - 2 * BLOCK);
  };
  async function* transform(): AsyncGenerator<Buffer> {
    let buffer = Buffer.alloc(0);
    let skip = 0; // bytes of the current entry's data still to drop
    let pass = 0; // bytes of the current entry's data still to pass through
    let pendingPath: string | null = null;
    let collectPax: { size: number; parts: Buffer[] } | null = null;
    let replaced = false;
    let ended = false;
    for await (const chunk of input) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      for (;;) {
        if (ended) {
          buffer = Buffer.alloc(0);
          break;
        }
        if (pass > 0 || skip > 0) {
          const n = Math.min(buffer.length, pass > 0 ? pass : skip);
          if (n === 0) break;
          if (pass > 0) {
            if (collectPax) collectPax.parts.push(buffer.subarray(0, n));
            yield buffer.subarray(0, n);
            pass -= n;
            if (pass === 0 && collectPax) {
              pendingPath = paxPath(Buffer.concat(collectPax.parts).subarray(0, collectPax.size));
              collectPax = null;
            }
          } else skip -= n;
          buffer = buffer.subarray(n);
          continue;
        }
        if (buffer.length < BLOCK) break;
        const header = buffer.subarray(0, BLOCK);
        buffer = buffer.subarray(BLOCK);
        if (header.every((b) => b === 0)) {
          // End of archive: add the file if it was not there, then the end marker.
          if (!replaced) yield append();
          yield Buffer.alloc(2 * BLOCK);
          ended = true;
          continue;
        }
        const type = String.fromCharCode(header[156]!);
        const size = octal(header, 124, 12);
        const padded = Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'x' || type === 'g') {
          yield header;
          pass = padded;
          if (type === 'x') collectPax = { size, parts: [] };
          if (padded === 0) collectPax = null;
          continue;
        }
        const prefix = cString(header, 345, 155);
        const name = pendingPath ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
        if (!replaced && (type === '0' || type === '\0') && clean(name) === wanted) {
          replaced = true;
          pendingPath = null;
          yield replace(header);
          skip = padded;
          continue;
        }
        pendingPath = null;
        yield header;
        pass = padded;
      }
    }
    if (!ended) {
      if (!replaced) yield append();
      yield Buffer.alloc(2 * BLOCK);
    }
  }
  return Readable.from(transform());
}
