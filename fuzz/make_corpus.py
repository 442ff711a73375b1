#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/nmea/ and fuzz/corpus/ais/ (deterministic).

Payloads are built here bit by bit (type, repeat, MMSI, then pseudo-random fields, with
the DAC/FID pairs of the application messages set), so the corpus owes nothing to any
capture. Run from anywhere: python3 fuzz/make_corpus.py
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20160331)

# Minimum lengths of aiswatch's decoder, plus a longer variant per type.
LENGTHS = {1: [168], 2: [168], 3: [168], 4: [168], 5: [424, 420], 6: [88, 200], 7: [72, 168],
           8: [56, 300], 9: [168], 10: [72], 11: [168], 12: [72, 300], 13: [72, 104], 14: [40, 200],
           15: [88, 160], 16: [96, 144], 17: [80, 200], 18: [168], 19: [312], 20: [72, 160],
           21: [272, 350], 22: [168], 23: [160], 24: [160, 168], 25: [40, 168], 26: [60, 200], 27: [96]}

# (type, dac, fid, data bits) of the application messages aw_app_decode interprets.
APPS = [(6, 200, 21, 160), (6, 200, 22, 160), (6, 200, 55, 60), (6, 235, 10, 80), (6, 250, 10, 80),
        (6, 1, 12, 400), (6, 1, 14, 300), (6, 1, 18, 300), (6, 1, 20, 500), (6, 1, 25, 300),
        (6, 1, 32, 300), (6, 1, 15, 20), (6, 1, 16, 20), (6, 1, 28, 400), (6, 1, 30, 300),
        (8, 1, 15, 20), (8, 1, 16, 20), (8, 1, 27, 400), (8, 1, 29, 300), (8, 1, 11, 296),
        (8, 1, 13, 400), (8, 1, 17, 400), (8, 1, 19, 300), (8, 1, 31, 304), (8, 200, 10, 112),
        (8, 200, 23, 200), (8, 200, 24, 150), (8, 200, 40, 100)]

ARMOUR = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"


def bits_of(v, n):
    return format(v & ((1 << n) - 1), "0%db" % n)


def message(mtype, nbits, mmsi=None, head=""):
    mmsi = rng.randrange(1 << 30) if mmsi is None else mmsi
    b = bits_of(mtype, 6) + bits_of(rng.randrange(4), 2) + bits_of(mmsi, 30) + head
    while len(b) < nbits:
        b += str(rng.randrange(2))
    return b[:nbits]


def armour(b):
    fill = (6 - len(b) % 6) % 6
    b += "0" * fill
    return "".join(ARMOUR[int(b[i:i + 6], 2)] for i in range(0, len(b), 6)), fill


def cks(s):
    x = 0
    for c in s:
        x ^= ord(c)
    return "%02X" % x


def sentences(payload, fill, talker="AIVDM", chan="A", seq=None, per=60):
    parts = [payload[i:i + per] for i in range(0, len(payload), per)] or [""]
    out = []
    for i, p in enumerate(parts, 1):
        s = "%s,%d,%d,%s,%s,%s,%d" % (talker, len(parts), i, "" if len(parts) == 1 else (seq or 1), chan, p,
                                      fill if i == len(parts) else 0)
        out.append("!%s*%s" % (s, cks(s)))
    return out


def tag(body):
    return "\\%s*%s\\" % (body, cks(body))


def all_messages():
    msgs = []
    for t, lens in sorted(LENGTHS.items()):
        for n in lens:
            head = ""
            if t == 24:
                head = bits_of(0 if n == 160 else 1, 2)
            msgs.append(message(t, n, head=head))
    msgs.append(message(24, 168, mmsi=981234567, head="01"))  # auxiliary craft part B
    for t, dac, fid, nbits in APPS:
        head = (bits_of(0, 2) + bits_of(rng.randrange(1 << 30), 30) + "0" + "0") if t == 6 else "00"
        head += bits_of(dac, 10) + bits_of(fid, 6)
        msgs.append(message(t, len(head) + 38 + nbits, head=head))
    return msgs


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))


def main():
    msgs = all_messages()
    ais_dir = os.path.join(HERE, "corpus", "ais")
    nmea_dir = os.path.join(HERE, "corpus", "nmea")
    for i, b in enumerate(msgs):
        p, fill = armour(b)
        write(os.path.join(ais_dir, "type%02d-%02d" % (int(b[:6], 2), i)), bytes([fill]) + p.encode())
    write(os.path.join(ais_dir, "bad-char"), bytes([0]) + b"15M67FC000G?ufbE`Fep,@3n00Sa")
    write(os.path.join(ais_dir, "type0"), bytes([0]) + b"0" * 28)
    write(os.path.join(ais_dir, "too-long"), bytes([2]) + armour(message(8, 1400))[0].encode())

    # One sentence per message type, plain.
    plain = []
    for b in msgs:
        p, fill = armour(b)
        plain += sentences(p, fill, chan=rng.choice("AB12"))
    write(os.path.join(nmea_dir, "all-types.nmea"), "\n".join(plain) + "\n")

    # Multipart type 5, in order, interleaved, with a lost fragment and out of order.
    p5, f5 = armour(message(5, 424))
    q5, g5 = armour(message(5, 424))
    a, b = sentences(p5, f5, seq=3), sentences(q5, g5, seq=4, chan="B")
    write(os.path.join(nmea_dir, "multipart.nmea"),
          "\r\n".join([a[0], a[1], a[0], b[0], a[1], b[1], b[1], a[1], b[0], a[0]]) + "\r\n")
    long_p, long_f = armour(message(8, 1800))
    write(os.path.join(nmea_dir, "nine-fragments.nmea"), "\n".join(sentences(long_p, long_f, seq=7)) + "\n")

    # NMEA 4.0 tag blocks: time, source, g: groups (the satellite form, source on the first only).
    c = 1459461600
    tb = [tag("s:rcv1,c:%d" % c) + sentences(*armour(msgs[0]))[0],
          tag("c:%d123" % c) + tag("s:second-block") + sentences(*armour(msgs[2]))[0]]
    g = sentences(p5, f5, seq=5)
    tb += [tag("g:1-2-4242,s:sat,c:%d" % (c + 1)) + g[0], tag("g:2-2-4242") + g[1]]
    tb += ["\\s:nochecksum,c:%d\\" % c + sentences(*armour(msgs[3]))[0]]
    tb += [tag("g:1-2-77,c:bad") + g[0], tag("g:2-3-77") + g[1]]
    write(os.path.join(nmea_dir, "tagblocks.nmea"), "\n".join(tb) + "\n")

    # Line prefixes and trailers.
    s1, s2 = sentences(*armour(msgs[1]))[0], sentences(*armour(msgs[20]))[0]
    pre = ["2016-03-31 12:00:00, " + s1, "2016-03-31T12:00:01.250Z," + s2, "%d,%s" % (c, s1),
           "%d123,%s" % (c, s2), s1 + ",%d" % c, s2 + ",%d456" % c, "2016-13-31 12:00:00, " + s1,
           "1999-02-30 25:61:61, " + s2]
    write(os.path.join(nmea_dir, "prefixes.nmea"), "\r\n".join(pre) + "\r\n")

    # Gatehouse: $PGHP stamps the next sentence.
    def pghp(fields):
        body = "PGHP,1," + fields
        return "$%s*%s" % (body, cks(body))
    gh = [pghp("2012,11,23,10,27,44,123,219,,,1,1A"), sentences(*armour(msgs[0]))[0] + ",1353666464123",
          pghp("2012,11,23,10,27,45,0,219,,,1,1A"), g[0], g[1], pghp("2012,13,40,99,99,99,9999,,,,1,")]
    write(os.path.join(nmea_dir, "gatehouse.nmea"), "\n".join(gh) + "\n")

    # Things that are not AIS: other NMEA, bad and missing checksums, comments, binary.
    junk = ["# a comment", "", "   ", "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
            "!AIPWR,1,A", s1[:-2] + "00", s1.split("*")[0], "!AIVDM,1,1,,A,,0*26", "!AIVDM,2,3,,A,15M,0*00",
            "!BSVDO" + s2[6:], "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,7*00", "garbage line",
            "\\unterminated tag block !AIVDM"]
    write(os.path.join(nmea_dir, "junk.nmea"),
          ("\n".join(junk) + "\n").encode() + b"\x00\xff\x1b[0m\n" + s1.encode())


if __name__ == "__main__":
    main()
