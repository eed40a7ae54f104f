/**
 * A tiny file system: paths to contents. Enough for openat to find or miss a file, read to
 * return its bytes and write to change them. Paths are absolute and normalised (`//`, `.` and
 * `..` resolved); relative paths are taken from `/`.
 */
const encoder = new TextEncoder();

/** Files every world starts with unless told otherwise. */
export const DEFAULT_FILES: Readonly<Record<string, string>> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n',
  '/etc/shadow': 'root:*:19000:0:99999:7:::\n',
  '/etc/hosts': '127.0.0.1 localhost\n',
  '/etc/resolv.conf': 'nameserver 10.0.0.53\n',
  '/bin/sh': '\x7fELF',
  '/bin/bash': '\x7fELF',
  '/usr/bin/curl': '\x7fELF',
  '/usr/bin/cat': '\x7fELF',
  '/usr/sbin/nginx': '\x7fELF',
  '/var/www/html/index.html': '<html><body>hello</body></html>\n',
  '/dev/null': '',
};

export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export class Vfs {
  readonly #files = new Map<string, Uint8Array>();

  constructor(files: Readonly<Record<string, string | Uint8Array>> = DEFAULT_FILES) {
    for (const [path, content] of Object.entries(files)) this.put(path, content);
  }

  exists(path: string): boolean {
    return this.#files.has(normalizePath(path));
  }

  /** Creates or replaces a file. */
  put(path: string, content: string | Uint8Array): void {
    this.#files.set(normalizePath(path), typeof content === 'string' ? encoder.encode(content) : content);
  }

  size(path: string): number {
    return this.#files.get(normalizePath(path))?.length ?? 0;
  }

  /** Up to `count` bytes from `pos` (empty at or past the end). */
  read(path: string, pos: number, count: number): Uint8Array {
    return (this.#files.get(normalizePath(path)) ?? new Uint8Array(0)).slice(pos, pos + count);
  }

  /** Writes `data` at `pos`, growing the file; returns the bytes written. */
  write(path: string, pos: number, data: Uint8Array): number {
    const key = normalizePath(path);
    const old = this.#files.get(key) ?? new Uint8Array(0);
    const next = new Uint8Array(Math.max(old.length, pos + data.length));
    next.set(old);
    next.set(data, pos);
    this.#files.set(key, next);
    return data.length;
  }

  truncate(path: string): void {
    this.#files.set(normalizePath(path), new Uint8Array(0));
  }

  list(): string[] {
    return [...this.#files.keys()].sort();
  }
}
