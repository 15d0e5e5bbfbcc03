#!/usr/bin/env python3
"""redhead_check.py — looks at page 1 of a bulletin rendered as a PPM
(pdftoppm -r 50 -f 1 -l 1) and checks the 版头 of GB/T 9704-2012: the
issuing-office mark is red and centred, a red rule spans the 版心 below it,
and the title below the rule is black.  Prints what it measured; exits 1 on
the first failure.

    redhead_check.py page1.ppm
"""
import sys


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6", "not a binary PPM"
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:]


def main():
    w, h, px = read_ppm(sys.argv[1])
    mm = w / 210.0

    def kind(x, y):
        i = 3 * (y * w + x)
        r, g, b = px[i], px[i + 1], px[i + 2]
        if r > 150 and g < 100 and b < 100:
            return "red"
        if r < 100 and g < 100 and b < 100:
            return "dark"
        return "light"

    rows = []
    for y in range(h):
        red = [x for x in range(w) if kind(x, y) == "red"]
        dark = sum(1 for x in range(w) if kind(x, y) == "dark")
        rows.append((red, dark))
    red_rows = [y for y in range(h) if rows[y][0]]
    if not red_rows:
        print("FAIL: no red on page 1")
        return 1
    # The rule: the red rows whose red run spans (nearly) the 版心, 156 mm.
    rule = [y for y in red_rows if len(rows[y][0]) >= 150 * mm]
    if not rule:
        print("FAIL: no red rule across the 版心")
        return 1
    rule_y = rule[0]
    mark = [y for y in red_rows if y < rule_y - 5 * mm]
    if not mark:
        print("FAIL: no red mark above the rule")
        return 1
    xs = [x for y in mark for x in rows[y][0]]
    left, right = min(xs) / mm, max(xs) / mm
    print("mark: red from %.1f to %.1f mm down, %.1f to %.1f mm across; rule at %.1f mm, %.1f mm long"
          % (mark[0] / mm, mark[-1] / mm, left, right, rule_y / mm, len(rows[rule_y][0]) / mm))
    if abs((left + right) / 2 - 105) > 3:
        print("FAIL: the mark is not centred")
        return 1
    if not 65 <= mark[0] / mm <= 80:
        print("FAIL: the mark's top is not about 35 mm below the 版心's top (72 mm)")
        return 1
    # The document number: dark text between the mark and the rule, centred.
    num = [y for y in range(mark[-1] + 1, rule_y) if rows[y][1] > 0]
    if not num:
        print("FAIL: no document number between the mark and the rule")
        return 1
    nx = [x for y in num for x in range(w) if kind(x, y) == "dark"]
    print("number: %.1f to %.1f mm down, centre %.1f mm; %.1f mm above the rule"
          % (num[0] / mm, num[-1] / mm, (min(nx) + max(nx)) / 2 / mm, (rule_y - num[-1]) / mm))
    if abs((min(nx) + max(nx)) / 2 / mm - 105) > 3:
        print("FAIL: the document number is not centred")
        return 1
    # The title: dark text below the rule.
    below = [y for y in range(rule_y + 1, h) if rows[y][1] > 0]
    if not below:
        print("FAIL: nothing below the rule")
        return 1
    print("title starts %.1f mm below the rule" % ((below[0] - rule_y) / mm))
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
