// Fake status services for the benches, run in their own process: GET /s/<n> answers
// {"status","message"}; the parent sets a target's status over IPC ({ set: n, status } or
// { setMany: [n…], status }) and may ask when each target was first polled ({ firsts: true }).
import http from 'node:http';

const ports = Number(process.argv[2] ?? 4);
const overrides = new Map();
// Epoch ms of each target's first request: the start-up bench's histogram of first polls.
const firsts = new Map();
const OK = Buffer.from(JSON.stringify({ status: 'OK', message: 'fine' }));

function handler(req, res) {
  const n = req.url.startsWith('/s/') ? req.url.slice(3) : '';
  if (!firsts.has(n)) firsts.set(n, Date.now());
  const status = overrides.get(n);
  const body = status ? Buffer.from(JSON.stringify({ status, message: `it is ${status}` })) : OK;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

const set = (n, status) => {
  if (status === 'OK') overrides.delete(String(n));
  else overrides.set(String(n), status);
};

const listening = [];
for (let i = 0; i < ports; i++) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  listening.push(new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))));
}
process.on('message', (msg) => {
  if (msg.set !== undefined) {
    set(msg.set, msg.status);
    process.send({ done: msg.set });
  } else if (msg.setMany !== undefined) {
    for (const n of msg.setMany) set(n, msg.status);
    process.send({ done: msg.setMany.length });
  } else if (msg.firsts) {
    process.send({ firsts: [...firsts.values()] });
    if (msg.reset) firsts.clear();
  }
});
process.on('disconnect', () => process.exit(0));
Promise.all(listening).then((list) => process.send({ ports: list }));
