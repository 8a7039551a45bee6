/* md5.js of the RouterOS twin: the router's own file, which a hotspot login page loads to
 * compute hexMD5(chap-id + password + chap-challenge) (MikroTik manual, "Hotspot
 * customisation": md5.js, "Misc"). A plain RFC 1321 MD5 written for the twin; chap-id and
 * chap-challenge arrive as octal string escapes, so every character is one byte (0-255),
 * and so are the password's characters when they are ASCII. */
function hexMD5(s) {
  var i, n = s.length, words = [], K = [], S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  for (i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
  for (i = 0; i < n; i++) words[i >> 2] |= (s.charCodeAt(i) & 255) << ((i % 4) * 8);
  words[n >> 2] |= 128 << ((n % 4) * 8);
  var total = (((n + 8) >> 6) + 1) * 16;
  for (i = 0; i < total; i++) words[i] = words[i] | 0;
  words[total - 2] = n * 8;
  var a0 = 1732584193, b0 = -271733879, c0 = -1732584194, d0 = 271733878;
  for (var block = 0; block < total; block += 16) {
    var a = a0, b = b0, c = c0, d = d0;
    for (i = 0; i < 64; i++) {
      var f, g, round = i >> 4;
      if (round === 0) { f = (b & c) | (~b & d); g = i; }
      else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      var sum = (a + f + K[i] + words[block + g]) | 0, r = S[round * 4 + (i % 4)];
      a = d; d = c; c = b;
      b = (b + ((sum << r) | (sum >>> (32 - r)))) | 0;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  var out = "", state = [a0, b0, c0, d0];
  for (i = 0; i < 16; i++) out += ("0" + ((state[i >> 2] >>> ((i % 4) * 8)) & 255).toString(16)).slice(-2);
  return out;
}
