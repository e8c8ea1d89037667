import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { stateWhen, tlsFixture } from './helpers/tls-fixture.js';
import { startHttpsService, startTlsServer, type Running } from './helpers/tls-servers.js';
import { waitFor } from './helpers/wait.js';
import { freePort } from './helpers/procs.js';
import { spawn } from 'node:child_process';
import net from 'node:net';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

// Real TLS servers on loopback with certificates from a test CA (made with openssl).
const fx = tlsFixture();
const app = fx.app;
const serve = async <T extends Running>(s: Promise<T>) => fx.keep(await s);

describe('tls:// checks', () => {
  it('a certificate expiring in 2 days is kept; Warning under expiry.warning, Critical under .critical', async () => {
    const cert = fx.ca.server('expiring.test', { names: ['expiring.test', '127.0.0.1'], days: 2 });
    const srv = await serve(startTlsServer(cert));
    const t = await app({ tls: { cas: { internal: fx.ca.cert } } });
    const url = `tls://127.0.0.1:${srv.port}`;
    await t.request
      .post('/checks')
      .send({ id: 'plain', url, tls: { ca: 'internal' } })
      .expect(201);
    const warning = { ca: 'internal', expiry: { warning: '14d', critical: '1d' } };
    await t.request.post('/checks').send({ id: 'soon', url, tls: warning }).expect(201);
    await t.request.post('/checks').send({ id: 'now', url, tls: { ca: 'internal', expiry: { critical: '3d' } } });

    const notAfter = new Date(new X509Certificate(cert.certPem).validTo).toISOString();
    const ok = await stateWhen(t, 'plain', 'OK');
    expect(ok.certificate).toEqual({
      subject: 'CN=expiring.test',
      issuer: 'CN=megaphone test CA',
      notAfter,
      daysLeft: 1,
    });
    expect(ok.message).toBe(
      `handshake OK with 127.0.0.1:${srv.port} (TLSv1.3); CN=expiring.test valid until ${notAfter}`,
    );
    const soon = await stateWhen(t, 'soon', 'Warning');
    expect(soon.message).toBe(`certificate CN=expiring.test expires ${notAfter} (1 day left); tls.expiry.warning 14d`);
    expect(soon.tls).toEqual({ ca: 'internal', insecure: false, expiry: { warning: '14d', critical: '1d' } });
    const now = await stateWhen(t, 'now', 'Critical');
    expect(now.message).toBe(`certificate CN=expiring.test expires ${notAfter} (1 day left); tls.expiry.critical 3d`);
    expect((await t.request.get('/')).body.message).toContain('now:Critical:certificate CN=expiring.test');
  });

  it('a self-signed server fails without tls.ca, saying which option to set, and is OK with it', async () => {
    const self = fx.ca.selfSigned('self.test', ['self.test', '127.0.0.1']);
    const srv = await serve(startTlsServer(self));
    const t = await app({ tls: { cas: { self: self.cert } } });
    const url = `tls://127.0.0.1:${srv.port}`;
    await t.request.post('/checks').send({ id: 'without', url }).expect(201);
    await t.request
      .post('/checks')
      .send({ id: 'with', url, tls: { ca: 'self' } })
      .expect(201);
    const without = await stateWhen(t, 'without', 'Critical');
    expect(without.message).toBe('self-signed certificate, not trusted (set tls.ca) (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect((await stateWhen(t, 'with', 'OK')).certificate?.subject).toBe('CN=self.test');
  });

  it('a server signed by an unknown CA: the message says to set tls.ca', async () => {
    const srv = await serve(startTlsServer(fx.ca.server('a.test', { names: ['127.0.0.1'] })));
    const t = await app();
    await t.request
      .post('/checks')
      .send({ id: 'x', url: `tls://127.0.0.1:${srv.port}` })
      .expect(201);
    expect((await stateWhen(t, 'x', 'Critical')).message).toBe(
      'certificate signed by an unknown CA (set tls.ca) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    );
  });

  it('a server that serves names by SNI: OK with tls.servername, its certificate the named one', async () => {
    // Its default certificate names neither the address nor b.test; b.test's comes only when SNI asks for it.
    const srv = await serve(
      startTlsServer(fx.ca.server('default.test'), { sni: [fx.ca.server('b.test', { names: ['b.test'] })] }),
    );
    const t = await app({ tls: { cas: { internal: fx.ca.cert } } });
    const url = `tls://127.0.0.1:${srv.port}`;
    await t.request.post('/checks').send({ id: 'named', url, tls: { ca: 'internal', servername: 'b.test' } });
    await t.request
      .post('/checks')
      .send({ id: 'unnamed', url, tls: { ca: 'internal' } })
      .expect(201);
    expect((await stateWhen(t, 'named', 'OK')).certificate?.subject).toBe('CN=b.test');
    expect((await stateWhen(t, 'unnamed', 'Critical')).message).toBe(
      'certificate does not name the host (set tls.servername to a name it carries) (ERR_TLS_CERT_ALTNAME_INVALID)',
    );
  });

  it('a server requiring a client certificate: OK for a config check with tls.cert and tls.key', async () => {
    const srv = await serve(
      startTlsServer(fx.ca.server('mtls.test', { names: ['127.0.0.1'] }), { clientCa: fx.ca.certPem }),
    );
    const client = fx.ca.client('megaphone');
    const url = `tls://127.0.0.1:${srv.port}`;
    const t = await app({
      checks: [
        { id: 'with-cert', url, tls: { ca: fx.ca.cert, cert: client.cert, key: client.key } },
        { id: 'no-cert', url, tls: { ca: fx.ca.cert } },
      ],
    });
    const ok = await stateWhen(t, 'with-cert', 'OK');
    expect(ok.tls).toEqual({ ca: fx.ca.cert, cert: client.cert, key: client.key, insecure: false });
    expect((await stateWhen(t, 'no-cert', 'Critical')).message).toBe(
      'the server requires a client certificate (set tls.cert and tls.key) (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
    );
  });

  it('tls.insecure takes an unverified certificate, shows it in the state, and is logged once per check', async () => {
    const srv = await serve(startTlsServer(fx.ca.selfSigned('self.test')));
    const lines: string[] = [];
    const logger = pino(new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    const t = await app({}, { deps: { logger } });
    const body = { id: 'lax', url: `tls://127.0.0.1:${srv.port}`, tls: { insecure: true } };
    await t.request.post('/checks').send(body).expect(201);
    const s = await stateWhen(t, 'lax', 'OK');
    expect(s.tls).toEqual({ insecure: true });
    expect(s.message).toMatch(
      /\(not verified, tls\.insecure: DEPTH_ZERO_SELF_SIGNED_CERT\); CN=self\.test valid until/,
    );
    expect(s.certificate?.subject).toBe('CN=self.test');
    await t.request.post('/checks').send(body).expect(200);
    const warned = lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg.startsWith('tls.insecure'));
    expect(warned).toEqual([expect.objectContaining({ level: 40, check: 'lax' })]);
  });

  it('a TLS 1.3 server that sends no session tickets is OK, even when the timeout ends the wait for them', async () => {
    const cert = fx.ca.server('quiet.test', { names: ['127.0.0.1'] });
    const port = await freePort();
    // stdin kept open: on its end s_server would close the connection, and that end alone would settle the wait.
    const args = ['s_server', '-accept', `127.0.0.1:${port}`, '-num_tickets', '0', '-quiet', '-cert', cert.cert];
    const quiet = spawn('openssl', [...args, '-key', cert.key], { stdio: ['pipe', 'ignore', 'ignore'] });
    fx.keep({ close: () => quiet.kill() });
    await waitFor(() => accepts(port), 10_000);
    const t = await app({ defaults: { interval: '400ms', timeout: '200ms' }, tls: { cas: { internal: fx.ca.cert } } });
    await t.request.post('/checks').send({ id: 'quiet', url: `tls://127.0.0.1:${port}`, tls: { ca: 'internal' } });
    expect((await stateWhen(t, 'quiet', 'OK')).certificate?.subject).toBe('CN=quiet.test');
  });

  it('tcp:// with `tls: true` does the same handshake; a plaintext port is named as such', async () => {
    const srv = await serve(startTlsServer(fx.ca.server('a.test', { names: ['127.0.0.1'] })));
    const plain = await serve(startHttpsService(fx.ca.server('b.test', { names: ['127.0.0.1'] })));
    const t = await app({ tls: { cas: { internal: fx.ca.cert } } });
    await t.request
      .post('/checks')
      .send({ id: 'tcp-tls', url: `tcp://127.0.0.1:${srv.port}`, tls: { ca: 'internal' } });
    const s = await stateWhen(t, 'tcp-tls', 'OK');
    expect(s).toMatchObject({ kind: 'tcp', certificate: { subject: 'CN=a.test' } });
    // A TCP check without `tls` only connects: no certificate.
    await t.request
      .post('/checks')
      .send({ id: 'tcp', url: `tcp://127.0.0.1:${plain.port}` })
      .expect(201);
    expect((await stateWhen(t, 'tcp', 'OK')).certificate).toBeUndefined();
  });
});

describe('https checks', () => {
  it('record the certificate of their connection and are judged by tls.expiry', async () => {
    const srv = await serve(startHttpsService(fx.ca.server('web.test', { names: ['127.0.0.1'], days: 2 })));
    const t = await app({ tls: { cas: { internal: fx.ca.cert } } });
    const url = `https://127.0.0.1:${srv.port}/health`;
    await t.request.post('/checks').send({ id: 'web', url, tls: { ca: 'internal', expiry: { warning: '7d' } } });
    const s = await stateWhen(t, 'web', 'Warning');
    expect(s.message).toMatch(/^certificate CN=web\.test expires \S+ \(1 day left\); tls\.expiry\.warning 7d$/);
    expect(s.certificate).toMatchObject({ subject: 'CN=web.test', daysLeft: 1 });
  });

  it('checks with different TLS options never share a connection', async () => {
    const srv = await serve(startHttpsService(fx.ca.selfSigned('self.test', ['127.0.0.1'])));
    const t = await app({ tls: { cas: { right: fx.ca.cert } } });
    const url = `https://127.0.0.1:${srv.port}/`;
    // A verified keep-alive connection to the same origin exists before the stricter check polls.
    await t.request
      .post('/checks')
      .send({ id: 'lax', url, tls: { insecure: true } })
      .expect(201);
    await stateWhen(t, 'lax', 'OK');
    await t.request.post('/checks').send({ id: 'strict', url }).expect(201);
    await t.request
      .post('/checks')
      .send({ id: 'wrong-ca', url, tls: { ca: 'right' } })
      .expect(201);
    expect((await stateWhen(t, 'strict', 'Critical')).message).toMatch(/^self-signed certificate, not trusted/);
    expect((await stateWhen(t, 'wrong-ca', 'Critical')).message).toMatch(/^self-signed certificate, not trusted/);
    expect((await t.request.get('/checks/lax/state')).body.status).toBe('OK');
  });
});

describe('/metrics', () => {
  it('megaphone_check_cert_expiry_seconds: one series per TLS check, at notAfter, gone with the check', async () => {
    const cert = fx.ca.server('m.test', { names: ['127.0.0.1'], days: 2 });
    const srv = await serve(startTlsServer(cert));
    const t = await app({ tls: { cas: { internal: fx.ca.cert } } });
    await t.request.post('/checks').send({ id: 'cert', url: `tls://127.0.0.1:${srv.port}`, tls: { ca: 'internal' } });
    await t.request
      .post('/checks')
      .send({ id: 'port', url: `tcp://127.0.0.1:${srv.port}` })
      .expect(201);
    await stateWhen(t, 'cert', 'OK');
    await stateWhen(t, 'port', 'OK');
    const series = async () =>
      (await t.request.get('/metrics')).text.split('\n').filter((l) => l.startsWith('megaphone_check_cert_expiry'));
    const notAfter = Date.parse(new X509Certificate(cert.certPem).validTo) / 1000;
    expect(await series()).toEqual([`megaphone_check_cert_expiry_seconds{check="cert"} ${notAfter}`]);
    await t.request.delete('/checks/cert').expect(204);
    expect(await series()).toEqual([]);
  });
});
