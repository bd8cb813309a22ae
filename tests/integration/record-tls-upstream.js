// A TLS terminator for blt-proxy record's tests: serves HTTPS on a free
// loopback port and passes every request to a plain HTTP upstream.
// usage: node record-tls-upstream.js KEY CERT UPSTREAM_URL
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const [key, cert, upstream] = process.argv.slice(2);
const target = new URL(upstream);

const server = https.createServer(
  { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
  (req, res) => {
    const out = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      }
    );
    out.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(out);
  }
);
server.listen(0, '127.0.0.1', () => {
  console.log(`tls upstream on https://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
