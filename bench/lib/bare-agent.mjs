// The baseline for the agent port: a bare net server writing the same line on each connection.
import net from 'node:net';

const line = Buffer.from(process.argv[2], 'base64');
const server = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.end(line);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
