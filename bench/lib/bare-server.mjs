// The baseline: a bare node:http server answering every request with the same status,
// headers and bytes the daemon gave (sent over IPC: { status, headers, body (base64) }).
import http from 'node:http';

process.once('message', (reply) => {
  const bytes = Buffer.from(reply.body, 'base64');
  const server = http.createServer((req, res) => {
    res.writeHead(reply.status, reply.headers);
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
});
process.on('disconnect', () => process.exit(0));
