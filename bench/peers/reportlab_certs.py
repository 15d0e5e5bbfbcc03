"""reportlab_certs.py LIST OUTDIR — the certificates of LIST (serial,
recipient, unit, QR payload; tab-separated) with ReportLab: one PDF each,
then all of them as OUTDIR/merged.pdf, in one process.  The MEDAL
certificate of templates/cert-MEDAL.xml: same page, border, wording, font
(LXGW WenKai, subset by ReportLab), QR code (ReportLab's own encoder, error
correction M) and serial.  For bench/b_peers.sh."""
import os, sys
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = os.environ.get('PEER_FONT', '/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf')
pdfmetrics.registerFont(TTFont('WenKai', FONT))
W, H = 297 * mm, 210 * mm
RED, GOLD, PAPER = HexColor('#B22222'), HexColor('#C9A227'), HexColor('#FFFBF0')


def y(v):                       # template millimetres from the top → points from the bottom
    return H - v * mm


def text(c, x, top, w, h, size, align, s, color=None, spacing=0):
    c.setFillColor(color or HexColor('#000000'))
    c.setFont('WenKai', size)
    base = y(top + h / 2) - size * 0.35
    if align == 'center':
        width = c.stringWidth(s, 'WenKai', size) + spacing * max(len(s) - 1, 0)
        left = x * mm + (w * mm - width) / 2
    elif align == 'right':
        left = x * mm + w * mm - c.stringWidth(s, 'WenKai', size)
    else:
        left = x * mm
    if spacing:                 # character spacing is graphics state: kept to this text
        c.saveState()
        t = c.beginText(left, base)
        t.setFont('WenKai', size)
        t.setCharSpace(spacing)
        t.textOut(s)
        c.drawText(t)
        c.restoreState()
    else:
        c.drawString(left, base, s)


def cert(c, serial, recipient, unit, payload):
    c.setFillColor(PAPER)
    c.rect(0, 0, W, H, stroke=0, fill=1)
    for (x, w, lw, col) in ((9, 279, 5, RED), (13, 271, 1.2, GOLD), (16, 265, 0.5, GOLD)):
        c.setLineWidth(lw)
        c.setStrokeColor(col)
        c.rect(x * mm, y(x + (210 - 2 * x)), w * mm, (210 - 2 * x) * mm, stroke=1, fill=0)
    for (cx, cy, sx, sy) in ((16, 16, 1, 1), (281, 16, -1, 1), (16, 194, 1, -1), (281, 194, -1, -1)):
        c.setLineWidth(1)
        c.setStrokeColor(GOLD)
        c.setFillColor(PAPER)
        c.circle(cx * mm, y(cy), 4.5 * mm, stroke=1, fill=1)
        c.setFillColor(RED)
        c.circle(cx * mm, y(cy), 2.6 * mm, stroke=0, fill=1)
        c.setLineWidth(1.2)
        c.line((cx + 6 * sx) * mm, y(cy + 3 * sy), (cx + 24 * sx) * mm, y(cy + 3 * sy))
        c.line((cx + 3 * sx) * mm, y(cy + 6 * sy), (cx + 3 * sx) * mm, y(cy + 24 * sy))
    c.setLineWidth(1)
    c.line(108 * mm, y(55), 142 * mm, y(55))
    c.line(155 * mm, y(55), 189 * mm, y(55))
    c.setFillColor(RED)
    c.circle(148.5 * mm, y(55), 1.6 * mm, stroke=0, fill=1)
    text(c, 48.5, 28, 200, 24, 42, 'center', '荣誉证书', RED, 14)
    text(c, 40, 64, 36, 18, 22, 'right', '兹授予')
    text(c, 80, 64, 95, 18, 28, 'center', recipient)
    c.setLineWidth(0.6)
    c.setStrokeColor(HexColor('#555555'))
    c.line(80 * mm, y(82.5), 175 * mm, y(82.5))
    text(c, 178, 64, 30, 18, 22, 'left', '同志：')
    text(c, 60, 85, 135, 8, 14, 'center', unit)
    text(c, 30, 100, 237, 18, 30, 'center', '南通市五一劳动奖章', RED)
    text(c, 30, 122, 237, 12, 22, 'center', '荣誉称号，特发此证。')
    text(c, 160, 146, 100, 11, 20, 'center', '南通市劳动竞赛委员会')
    text(c, 160, 159, 100, 11, 18, 'center', '二〇二五年四月二十八日')
    if payload:
        qr_code(c, payload)
    text(c, 24, 176, 80, 6, 9, 'left', '证书编号：' + serial)
    c.showPage()


def qr_code(c, payload):
    qr = QrCodeWidget(payload, barLevel='M', barBorder=0)
    x0, y0, x1, y1 = qr.getBounds()
    d = Drawing(24 * mm, 24 * mm, transform=[24 * mm / (x1 - x0), 0, 0, 24 * mm / (y1 - y0), 0, 0])
    d.add(qr)
    renderPDF.draw(d, c, 26 * mm, y(174))


def main():
    rows = [(l.rstrip('\n').split('\t') + [''] * 4)[:4] for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
    out = sys.argv[2]
    for r in rows:
        c = canvas.Canvas(os.path.join(out, r[0] + '.pdf'), pagesize=(W, H))
        cert(c, *r)
        c.save()
    c = canvas.Canvas(os.path.join(out, 'merged.pdf'), pagesize=(W, H))
    for r in rows:
        cert(c, *r)
    c.save()


main()
