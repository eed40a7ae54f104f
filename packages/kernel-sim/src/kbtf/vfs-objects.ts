/**
 * The file system as kernel objects: a super block and mount for `/` (ext4) and one for sockets
 * (sockfs); a dentry and an inode per path, made on first use with their parents and kept for
 * the kernel's life, as the dentry cache keeps them; and the fields of a `struct file`.
 *
 * A dentry's `d_name.name` points at its last path component (`passwd` for /etc/passwd), its
 * `d_parent` at the directory's dentry, up to `/`, which is its own parent. Inodes number from 2
 * (the root's, as on ext4); `/dev/*` are character devices (`/dev/null` is 1:3), other paths
 * regular files, directories are made for every parent.
 */
import {
  EXT4_SUPER_MAGIC,
  FMODE_READ,
  FMODE_WRITE,
  O_ACCMODE,
  S_IFCHR,
  S_IFDIR,
  S_IFREG,
  S_IFSOCK,
  SOCKFS_MAGIC,
  mkdev,
} from './linux-constants.js';
import type { KernelBlock, KernelStructs } from './kernel-structs.js';

/** What a `struct file` holds (written by writeFile). */
export interface FileState {
  /** The path opened (`/etc/passwd`), or for a socket the sockfs dentry made by socketDentry. */
  readonly path: string | SocketDentry;
  /** The open flags (O_RDONLY, O_WRONLY, O_RDWR, O_CREAT…). */
  readonly flags: number;
  readonly pos: number;
  /** The opener's `struct cred`. */
  readonly cred: number;
  /** A socket's `struct socket` (private_data). */
  readonly socket?: number;
  /** The file's size in bytes (the inode's i_size), when known. */
  readonly size?: number;
}

/** The dentry and inode of one socket, and the blocks to free with it. */
export interface SocketDentry {
  readonly dentry: number;
  readonly inode: number;
  readonly blocks: readonly KernelBlock[];
}

interface Fs {
  readonly sb: number;
  readonly mnt: number;
  readonly root: number;
}

const ROOT_DEV = mkdev(8, 1);
const DEV_NULL = mkdev(1, 3);

export class VfsObjects {
  readonly #structs: KernelStructs;
  readonly #rootFs: Fs;
  readonly #sockFs: Fs;
  readonly #dentries = new Map<string, number>();
  #nextIno = 2;

  constructor(structs: KernelStructs) {
    this.#structs = structs;
    this.#rootFs = this.#mountFs('ext4', EXT4_SUPER_MAGIC, ROOT_DEV, 'sda1');
    this.#sockFs = this.#mountFs('sockfs', SOCKFS_MAGIC, 0, 'sockfs');
    this.#dentries.set('/', this.#rootFs.root);
  }

  /** The mount of `/` (`struct vfsmount`). */
  get rootMount(): number {
    return this.#rootFs.mnt;
  }

  /** The dentry of `/`. */
  get rootDentry(): number {
    return this.#rootFs.root;
  }

  /** The dentry of absolute path `path` (normalised, as the world's Vfs keeps them), made with its parents on first use. */
  dentry(path: string): number {
    const known = this.#dentries.get(path);
    if (known !== undefined) return known;
    const cut = path.lastIndexOf('/');
    const parent = this.dentry(cut <= 0 ? '/' : path.slice(0, cut));
    const name = path.slice(cut + 1);
    const mode = path.startsWith('/dev/') ? S_IFCHR | 0o666 : S_IFREG | 0o644;
    const inode = this.#inode(this.#rootFs, mode, path === '/dev/null' ? DEV_NULL : 0);
    const dentry = this.#newDentry(this.#rootFs, name, parent, inode).address;
    this.#dentries.set(path, dentry);
    this.#markDirectory(parent);
    return dentry;
  }

  /** A new sockfs dentry and inode for a socket (`TCP`, `UDP`, `TCPv6`, `UDPv6`, as Linux names them). */
  socketDentry(name: string): SocketDentry {
    const inode = this.#structs.alloc('inode');
    this.#writeInode(inode.address, this.#sockFs, S_IFSOCK | 0o777, 0);
    const text = this.#structs.string(name);
    const dentry = this.#structs.create('dentry', {
      'd_name.len': text.size - 1, 'd_name.name': text.address, d_parent: this.#sockFs.root, d_inode: inode.address, d_sb: this.#sockFs.sb,
    });
    return { dentry: dentry.address, inode: inode.address, blocks: [inode, text, dentry] };
  }

  /** Writes `state` into the `struct file` at `file`. */
  writeFile(file: number, state: FileState): void {
    const isPath = typeof state.path === 'string';
    const dentry = isPath ? this.dentry(state.path as string) : (state.path as SocketDentry).dentry;
    const access = state.flags & O_ACCMODE;
    this.#structs.write(file, 'file', {
      f_mode: (access === 1 ? 0 : FMODE_READ) | (access === 0 ? 0 : FMODE_WRITE),
      f_flags: state.flags,
      f_pos: state.pos,
      f_cred: state.cred,
      'f_path.mnt': isPath ? this.#rootFs.mnt : this.#sockFs.mnt,
      'f_path.dentry': dentry,
      f_inode: this.#structs.pointer(dentry, 'dentry', 'd_inode'),
      private_data: state.socket ?? 0,
    });
    if (state.size !== undefined) this.#structs.write(this.#structs.pointer(dentry, 'dentry', 'd_inode'), 'inode', { i_size: state.size });
  }

  #mountFs(type: string, magic: number, dev: number, id: string): Fs {
    const s = this.#structs;
    const fsType = s.create('file_system_type', { name: s.string(type).address }).address;
    const sb = s.create('super_block', { s_dev: dev, s_blocksize: 4096, s_type: fsType, s_magic: magic, s_id: id }).address;
    const inode = this.#inode({ sb, mnt: 0, root: 0 }, S_IFDIR | 0o755, 0);
    const root = this.#newDentry({ sb, mnt: 0, root: 0 }, '/', 0, inode).address;
    s.write(root, 'dentry', { d_parent: root });
    s.write(sb, 'super_block', { s_root: root });
    const mnt = s.create('vfsmount', { mnt_root: root, mnt_sb: sb }).address;
    return { sb, mnt, root };
  }

  #newDentry(fs: Fs, name: string, parent: number, inode: number): KernelBlock {
    const text = this.#structs.string(name);
    return this.#structs.create('dentry', { 'd_name.len': text.size - 1, 'd_name.name': text.address, d_parent: parent, d_inode: inode, d_sb: fs.sb });
  }

  #inode(fs: Fs, mode: number, rdev: number): number {
    const inode = this.#structs.alloc('inode').address;
    this.#writeInode(inode, fs, mode, rdev);
    return inode;
  }

  #writeInode(inode: number, fs: Fs, mode: number, rdev: number): void {
    this.#structs.write(inode, 'inode', { i_mode: mode, i_ino: this.#nextIno++, i_nlink: 1, i_rdev: rdev, i_sb: fs.sb });
  }

  /** A path that turns out to have children is a directory. */
  #markDirectory(dentry: number): void {
    const inode = this.#structs.pointer(dentry, 'dentry', 'd_inode');
    this.#structs.write(inode, 'inode', { i_mode: S_IFDIR | 0o755 });
  }
}
