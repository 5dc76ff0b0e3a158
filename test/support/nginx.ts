/**
 * A real nginx (Debian nginx-extras) serving WebDAV on a random loopback port, in a temporary
 * folder, stopped by process id. Tests skip locally when nginx is absent and fail under CI=true.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const nginxBinary = '/usr/sbin/nginx'
const davModule = '/usr/lib/nginx/modules/ngx_http_dav_ext_module.so'

export interface NginxWebdav {
  url: string
  root: string
  stop(): Promise<void>
  /** Stops the server but keeps its files (an endpoint going down). */
  down(): Promise<void>
  /** Starts it again on the same port and files (the endpoint coming back). */
  up(): Promise<void>
}

/** Why WebDAV tests cannot run here, or false. */
export function nginxSkipReason(): string | false {
  if (existsSync(nginxBinary) && existsSync(davModule)) return false
  const reason = `nginx-extras (WebDAV) not installed: ${nginxBinary}`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: WebDAV tests must run)`)
  return reason
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  // A server starting on a loaded two-core machine may take several seconds (xrootd took over
  // five in CI): the bound is a generous deadline, and a server that exits fails at once.
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `${path.basename(String(child.spawnfile))} exited with ${child.exitCode}; see ${log}`,
      )
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${path.basename(String(child.spawnfile))} did not listen on ${port}`)
}

/** `bearer`: nginx then refuses (403) any request without `Authorization: Bearer <bearer>`. */
export async function startNginxWebdav(options: { bearer?: string } = {}): Promise<NginxWebdav> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-nginx-'))
  const root = path.join(dir, 'root')
  const tmp = path.join(dir, 'tmp')
  mkdirSync(root)
  mkdirSync(tmp)
  const asRoot = process.getuid?.() === 0
  // nginx's workers run as www-data when started by root: they must own root and tmp.
  if (asRoot) {
    const { uid, gid } = wwwData()
    for (const p of [dir, root, tmp]) chownSync(p, uid, gid)
  }
  const port = await freePort()
  const conf = path.join(dir, 'nginx.conf')
  writeFileSync(
    conf,
    `load_module ${davModule};
daemon off; worker_processes 2; pid ${dir}/nginx.pid; ${asRoot ? 'user www-data;' : ''}
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http { access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path ${tmp}; client_max_body_size 0;
  server { listen 127.0.0.1:${port}; root ${root};
    location / { ${options.bearer ? `if ($http_authorization != "Bearer ${options.bearer}") { return 403; }` : ''}
                 dav_methods PUT DELETE MKCOL COPY MOVE; dav_ext_methods PROPFIND OPTIONS;
                 create_full_put_path on; dav_access user:rw group:rw all:r; autoindex on; } } }
`,
  )
  const launch = async () => {
    const started = spawn(nginxBinary, ['-c', conf, '-p', dir, '-e', `${dir}/error.log`], {
      stdio: 'ignore',
    })
    await waitForPort(port, started, `${dir}/error.log`)
    return started
  }
  let child = await launch()
  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    async stop() {
      await halt()
      rmSync(dir, { recursive: true, force: true })
    },
    down: halt,
    async up() {
      child = await launch()
    },
  }
}

function wwwData(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('www-data:'))
  const [, , uid, gid] = line?.split(':') ?? []
  return { uid: Number(uid ?? 33), gid: Number(gid ?? 33) }
}
