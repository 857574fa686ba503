import { describe, expect, it } from 'vitest';
import { contextInputs } from '../../../server/images/context-inputs.js';

describe('contextInputs: what a Dockerfile can read from its context', () => {
  it.each([
    ['copies nothing', 'FROM gitpod/workspace-full\nRUN sudo apt-get update && sudo apt-get install -y redis\n', []],
    ['COPY --from of a stage or image', 'FROM node:20 AS b\nRUN make\nFROM debian\nCOPY --from=b /out /out\nCOPY --chown=1:1 --from=alpine /etc/x /x\n', []],
    ['ADD of a URL', 'FROM debian\nADD https://example.com/a.tgz /tmp/\n', []],
    [
      'named files and folders, sorted, folders covering their files',
      'FROM debian\nCOPY package.json yarn.lock /app/\nCOPY scripts/ /s\nADD --chown=1:1 scripts/setup.sh /x\n',
      ['package.json', 'scripts', 'yarn.lock'],
    ],
    ['JSON form', 'FROM debian\nCOPY ["a b.txt", "./conf/x.ini", "/dst/"]\n', ['a b.txt', 'conf/x.ini']],
    ['a wildcard cuts the path at that component', 'FROM debian\nCOPY src/*.js lib/v?/x /app/\n', ['lib', 'src']],
    ['continuation lines and comments', 'FROM debian\nCOPY \\\n  # a comment inside\n  Gemfile \\\n  Gemfile.lock /app/\n', ['Gemfile', 'Gemfile.lock']],
    ['lower-case keywords', 'from debian\ncopy tools /tools\n', ['tools']],
    ['ONBUILD COPY runs in child builds, not this one', 'FROM debian\nONBUILD COPY . /app\n', []],
  ])('%s', (_name, dockerfile, expected) => {
    expect(contextInputs(dockerfile)).toEqual(expected);
  });

  it.each([
    ['COPY .', 'FROM debian\nCOPY . /workspace\n'],
    ['COPY ./', 'FROM debian\nCOPY ./ /workspace\n'],
    ['a wildcard at the top', 'FROM debian\nCOPY *.json /app/\n'],
    ['a variable', 'FROM debian\nARG SRC=app\nCOPY $SRC /app\n'],
    ['a path that climbs out', 'FROM debian\nCOPY ../secrets /s\n'],
  ])('the whole context for %s', (_name, dockerfile) => {
    expect(contextInputs(dockerfile)).toBeNull();
  });
});
