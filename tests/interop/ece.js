// An independent aes128gcm implementation (the npm package http_ece) on the
// other side of profile-tool:
//   node ece.js decrypt IKM IN OUT
//   node ece.js encrypt IKM RS KEYID IN OUT
// IKM is unpadded base64url, as profile-tool takes it.
'use strict';
const fs = require('fs');
const ece = require('http_ece');

const [command, ikm, ...rest] = process.argv.slice(2);
if (command === 'decrypt') {
  const [input, output] = rest;
  fs.writeFileSync(output, ece.decrypt(fs.readFileSync(input), {version: 'aes128gcm', key: ikm}));
} else if (command === 'encrypt') {
  const [rs, keyid, input, output] = rest;
  fs.writeFileSync(output, ece.encrypt(fs.readFileSync(input),
                                       {version: 'aes128gcm', key: ikm, rs: Number(rs), keyid}));
} else {
  console.error('usage: node ece.js decrypt|encrypt ...');
  process.exit(2);
}
