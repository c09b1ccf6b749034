// The Go module proxy protocol details the upstream-file resolver relies on (https://go.dev/ref/mod).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GOPROXY,
  escapeModulePath,
  goProxyBase,
  moduleZipEntry,
  moduleZipUrl,
} from '../lib/go-proxy.js';

describe('Go module proxy', () => {
  it.each([
    [undefined, DEFAULT_GOPROXY],
    ['', DEFAULT_GOPROXY],
    ['https://proxy.golang.org,direct', 'https://proxy.golang.org'],
    ['direct', undefined],
    ['off', undefined],
    ['direct|http://127.0.0.1:3000/go/|https://proxy.golang.org', 'http://127.0.0.1:3000/go'],
    ['file:///srv/goproxy,https://goproxy.example', 'https://goproxy.example'],
  ])('GOPROXY=%j asks %s', (goproxy, base) => {
    expect(goProxyBase(goproxy)).toBe(base);
  });

  it('escapes upper case in the URL but not in the zip entries', () => {
    const module = 'github.com/GoogleContainerTools/skaffold/v2';
    expect(escapeModulePath(module)).toBe('github.com/!google!container!tools/skaffold/v2');
    expect(moduleZipUrl('https://proxy.golang.org', module, 'v2.24.0')).toBe(
      'https://proxy.golang.org/github.com/!google!container!tools/skaffold/v2/@v/v2.24.0.zip',
    );
    expect(moduleZipEntry(module, 'v2.24.0', 'docs-v2/x.json')).toBe(
      'github.com/GoogleContainerTools/skaffold/v2@v2.24.0/docs-v2/x.json',
    );
  });
});
