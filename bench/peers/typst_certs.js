// typst_certs.js LIST OUTDIR — the certificates of LIST (serial, recipient,
// unit, QR payload; tab-separated) with Typst (typst.ts): one PDF each, then
// all of them as OUTDIR/merged.pdf, in one process with one compiler (kept
// warm, as a Typst service would).  QR codes (for rows with a payload) are
// made as SVG by the qrcode package (error correction M, as jingsai's).
const fs = require('fs');
const path = require('path');
const { NodeCompiler } = require('@myriaddreamin/typst-ts-node-compiler');
const QRCode = require('qrcode');

const [list, out] = process.argv.slice(2);
const fontDir = process.env.PEER_FONT_DIR || '/usr/share/fonts/truetype/lxgw-wenkai';
const tpl = path.join(__dirname, 'cert.typ');
const rows = fs.readFileSync(list, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [serial, recipient, unit, payload] = l.split('\t');
  return { serial, recipient, unit, payload };
});
const compiler = NodeCompiler.create({ workspace: '/', fontArgs: [{ fontPaths: [fontDir] }] });
const certs = [];
for (const r of rows) {
  let svg = '';
  if (r.payload) QRCode.toString(r.payload, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' }, (e, s) => { svg = s; });
  certs.push({ serial: r.serial, recipient: r.recipient, unit: r.unit, qr: svg });
}
for (const c of certs) {
  const pdf = compiler.pdf({ mainFilePath: tpl, inputs: c });
  fs.writeFileSync(path.join(out, c.serial + '.pdf'), pdf);
}
compiler.mapShadow('/jingsai-bench/data.json', Buffer.from(JSON.stringify(certs)));
fs.writeFileSync(path.join(out, 'merged.pdf'),
  compiler.pdf({ mainFilePath: tpl, inputs: { data: '/jingsai-bench/data.json' } }));
