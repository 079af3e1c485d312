/**
 * A self-signed certificate for 127.0.0.1 made by the openssl CLI for one test run (key.pem and
 * cert.pem in a temp folder): the server's certificate and, given as `ca`, the client's trust.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireBinary } from './binaries.js';

export interface SelfSignedCert {
  readonly cert: string;
  readonly key: string;
  /** Deletes the folder. */
  remove(): void;
}

export function selfSignedCert(prefix: string): SelfSignedCert {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  // prettier-ignore
  execFileSync(requireBinary('openssl', 'openssl'), [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
