// The baseline: a bare node:http server answering every request with the same status,
// headers and bytes the daemon's GET / gave (passed as JSON in argv[2]).
import http from 'node:http';

const { status, headers, body } = JSON.parse(process.argv[2]);
const bytes = Buffer.from(body, 'base64');
const server = http.createServer((req, res) => {
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
