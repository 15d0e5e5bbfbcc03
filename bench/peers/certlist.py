"""certlist.py DB KEYFILE YEAR AWARD — prints the certificates jingsai printed
(serial, recipient, unit, QR payload; tab-separated, in serial order) for the
peers of bench/b_peers.sh.  The payload is the one jingsai encodes: the
verify URL of the store's programme with the serial and the keyed hash of the
printed fields (HMAC-SHA256, 16 bytes, base64url)."""
import base64, hashlib, hmac, sqlite3, sys

db, keyfile, year, award = sys.argv[1:5]
key = open(keyfile, 'rb').read()
if key.endswith(b'\n'):
    key = key[:-1]
con = sqlite3.connect(db)
url = (con.execute("SELECT value FROM programme WHERE key = 'verify_url'").fetchone() or ('{payload}',))[0]
for serial, recipient, unit, fields in con.execute(
        "SELECT serial, recipient, IFNULL(unit, ''), fields FROM certificate "
        "WHERE year = ? AND award = ? AND status = 'active' ORDER BY seq", (int(year), award)):
    mac = base64.urlsafe_b64encode(hmac.new(key, fields.encode(), hashlib.sha256).digest()[:16]).rstrip(b'=').decode()
    payload = url.replace('{payload}', serial + '.' + mac).replace('{serial}', serial).replace('{mac}', mac)
    print('\t'.join((serial, recipient, unit, payload)))
