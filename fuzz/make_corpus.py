#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/nmea/, fuzz/corpus/ais/, fuzz/corpus/table/,
fuzz/corpus/sanctions/ and fuzz/corpus/geo/ (deterministic).

Payloads are built here bit by bit (type, repeat, MMSI, then pseudo-random fields, with
the DAC/FID pairs of the application messages set), so the corpus owes nothing to any
capture. The table seeds are small files written here in each format the table reader
knows (NOAA, DMA, JSON lines, aiswatch's own CSV, CSV under a --columns mapping), with
quotes, BOMs, comments and rows it must refuse. Run from anywhere: python3 fuzz/make_corpus.py
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

    write_table_corpus()
    write_sanctions_corpus()


# ---- fuzz_table: three control bytes (see fuzz/fuzz_table.c), then the table text.
# Byte 0: bits 0-2 the mapping (0 and 1: detect; 2 by index; 3 NOAA names, tz=+02:00;
# 4 ';' and dayfirst; 5 JSON keys, epoch; 6 tab, monthfirst; 7 '|'), bits 4-5 = 3 a
# 256-byte error buffer, bit 6 a large first line number. Byte 1: the split line.
def table_seed(mapping, split, text, extra=0x30, head=0):
    return bytes([mapping | extra, split, head]) + (text.encode("utf-8") if isinstance(text, str) else text)


NOAA_HDR = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
            "Length,Width,Draft,Cargo,TransceiverClass")


def noaa_rows():
    return [
        '367000001,2023-01-11T00:00:01,29.31283,-94.79354,0.0,211.4,511,"ORION, ""THE"" TUG",IMO9123456,'
        'WDA1234,52,0,30,10,3.2,52,A',
        "367000002,2023-01-11T00:00:02,29.30000,-94.80000,12.3,360.0,359,SEA BREEZE,,WDB5678,37,,12,4,,,B",
        "003669999,2023-01-11 00:00:03,91,181,102.3,0,0,,,,,,,,,,A",
        "367000003,2023-01-11T00:00:04.250Z,-89.99999,179.99999,1e1,359.96,360,,,,,,,,,,Base Station",
        "367000004,2023-01-11T00:00:05+01:00,10.5,20.5,5,90,90,BUOY 7@X,,,,,,,,,AtoN",
        "367000005,1700000000,10.5,20.5,250,90,90,,,,,,,,,,SAR Airborne",
        "367000006,2023-02-29T00:00:00,10,20,1,1,1,,,,,,,,,,A",   # no such day
        "0,2023-01-11T00:00:00,10,20,1,1,1,,,,,,,,,,A",            # bad MMSI
        "367000007,2023-01-11T00:00:00,95,20,1,1,1,,,,,,,,,,A",    # off the globe
        "367000008,2023-01-11T00:00:00,10,20",                      # short row
        '367000009,2023-01-11T00:00:00,10,20,1,1,1,"UNCLOSED,,,,,,,,,A',
        "2190001,4000000000000000000,10,20,,,,,,,,,,,,,Base Station",  # year 126 million
        "2190002,-1e12,10,20,,,,,,,,,,,,,Base Station",
    ]


def dma_text():
    hdr = ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,"
           "IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,"
           "Destination,ETA,Data source type,A,B,C,D")
    rows = [
        "20/03/2021 00:22:01,Class A,219000001,55.676098,12.568337,Under way using engine,0.0,10.2,45.1,44,"
        "Unknown,OXAB2,SKIBET,Cargo,,12,90,GPS,5.5,KOEBENHAVN,21/03/2021 08:00:00,AIS,70,20,6,6",
        "20/03/2021 00:22:02,Class B,219000002,55.6,12.5,Unknown value,,3.1,180,,,Unknown,Unknown,Pleasure,"
        ",3,10,GPS,,Unknown,,AIS,,,,",
        "20/03/2021 00:22:03,Base Station,2190001,55.7,12.6,Unknown value,,,,,,,,Undefined,,,,GPS,,,,AIS,,,,",
        "20/03/2021 00:22:04,AtoN,992190003,55.7,12.6,Unknown value,,,,,,,FYR,Undefined,,,,GPS,,,,AIS,1,2,3,4",
        "31/04/2021 00:22:05,Class A,219000004,55.6,12.5,Moored,,0,0,0,,,,,,,,GPS,,,,AIS,,,,",
        "20/03/2021 00:22:06,Class A,219000005,55,6,12.5,Moored,,0,0,0,,,,,,,,GPS,,,,AIS,,,,",
    ]
    return "\n".join([hdr] + rows) + "\n"


def jsonl_text():
    rows = [
        '{"ssvid": "367000001", "lat": 29.31283, "lon": -94.79354, "timestamp": "2023-01-11T00:00:01Z", '
        '"speed": 12.5, "course": 91.0, "shipname": "ORION \\"TUG\\" \\u00c9", "nested": {"a": [1, "}"]}}',
        '{"mmsi": 367000002, "lat": null, "lon": null, "timestamp": 1673395201000, "class": "B", '
        '"shipname": "SEA", "callsign": "W1"}',
        '{"mmsi": 367000003, "lat": 91, "lon": 181, "timestamp": 1673395201, "heading": true}',
        '{}',
        '{"mmsi": 367000004, "lat": 10, "lon": 20',
        '{"mmsi": "abc", "lat": 10, "lon": 20}',
        '[1, 2]',
        '{"mmsi": 367000005, "lat": 10, "lon": 20} trailing',
    ]
    return "\n".join(rows) + "\n"


def own_csv_text():
    hdr = ("time,msg_type,mmsi,channel,lat,lon,sog_kn,cog_deg,heading_deg,nav_status,imo,callsign,shipname,"
           "ship_type,to_bow_m,to_stern_m,to_port_m,to_starboard_m,draught_m,destination,second")
    rows = [
        "2016-03-31T12:00:00.000Z,1,244660000,A,52.1,4.2,10.5,90.0,91,0,,,,,,,,,,,0",
        '2016-03-31T12:00:01.000Z,5,244660000,B,,,,,,,9123456,"PD1234","MY ""SHIP""",70,100,20,10,10,5.5,'
        '"ROTTERDAM",',
        "2016-03-31T12:00:02.000Z,8,244660000,A,,,,,,,,,,,,,,,,,",
        "2016-03-31T12:00:03.000Z,4,2442000,A,52.0,4.0,,,,,,,,,,,,,,,3",
        "2016-03-31T12:00:04.000Z,18,244660001,A,52.1,4.2,102.3,360.0,511,,,,,,,,,,,,60",
        "2016-03-31T12:00:05.000Z,24,244660001,A,,,,,,,,,\"B NAME\",37,5,5,2,2,,,",
        "2016-03-31T12:00:06.000Z,99,244660001,A,,,,,,,,,,,,,,,,,",
        # Static values with no message to carry them (no position, station or class B).
        '2016-03-31T12:00:07.000Z,4,2442000,A,,,,,,,,,"X",,,,,,,,',
        '2016-03-31T12:00:08.000Z,24,244660002,A,,,,,,,1234567,,,,,,,,3.5,"DEST",',
    ]
    return "\n".join([hdr] + rows) + "\n"


def write_table_corpus():
    d = os.path.join(HERE, "corpus", "table")
    noaa = "\n".join([NOAA_HDR] + noaa_rows()) + "\n"
    write(os.path.join(d, "noaa.csv"), table_seed(0, 3, noaa))
    # BOM, CRLF, the header again mid-file (concatenated exports), comments, bad encoding.
    crlf = ("\ufeff" + NOAA_HDR + "\r\n" + "\r\n".join(noaa_rows()[:3]) + "\r\n# comment\r\n\r\n\ufeff" +
            NOAA_HDR + "\r\n" + noaa_rows()[3] + "\r\n").encode("utf-8")
    crlf += b"367000010,2023-01-11T00:00:00,10,20,1,1,1,BAD \xff\xfe NAME,,,,,,,,,A\r\n"
    crlf += b"367000011,2023-01-11T00:00:00,10,20,1,1,1,NUL\x00NAME,,,,,,,,,A\r\n"
    crlf += "367000012,2023-01-11T00:00:00,10,20,1,1,1,ÅLAND ÆØ €,,,,,,,,,B".encode("utf-8")
    write(os.path.join(d, "noaa-bom-crlf.csv"), table_seed(0, 5, crlf, extra=0x70))
    write(os.path.join(d, "noaa-tz.csv"), table_seed(1, 1, noaa, extra=0x10))
    write(os.path.join(d, "noaa-mapped-names.csv"), table_seed(3, 2, noaa))
    write(os.path.join(d, "noaa-short-head.csv"), table_seed(0, 0, noaa, extra=0x38, head=5))
    write(os.path.join(d, "dma.csv"), table_seed(0, 2, dma_text()))
    write(os.path.join(d, "dma-semicolon.csv"), table_seed(0, 1, dma_text().replace(",", ";")))
    write(os.path.join(d, "jsonl.json"), table_seed(0, 4, jsonl_text()))
    jkeys = "\n".join([
        '{"vessel_id": 367000001, "y": 29.5, "x": -94.5, "t": 1673395201, "speed_kn": 3, "vessel": "A B"}',
        '{"vessel_id": "367000002", "y": "10.0", "x": "20.0", "t": 1673395201123, "cls": "Class B", '
        '"vessel": "\\u0041\\n"}',
        '{"mmsi": 367000003, "lat": 1, "lon": 2, "t": "x"}',
        '{"vessel_id": 367000004, "y": 1, "x": 2, "kind": 8}',
    ]) + "\n"
    write(os.path.join(d, "jsonl-keys.json"), table_seed(5, 2, jkeys))
    write(os.path.join(d, "jsonl-keys-noerr.json"), table_seed(5, 1, jkeys, extra=0x40))
    write(os.path.join(d, "aiswatch.csv"), table_seed(0, 3, own_csv_text()))
    idx = "\n".join([
        '367000001,2023-01-11T00:00:01,29.5,-94.5,1.5,10,11,"QUOTED, NAME",A',
        "367000002,1673395201,29.5,-94.5,,,,PLAIN,B",
        '"367000003",2023-01-11,29.5,-94.5,1,2,3,"X"Y,A',
        "367000004,2023-01-11T00:00:01,29.5,-94.5",
        "367000005,2023-01-11T00:00:01,29,5,-94.5,1,2,3,N,A",
    ]) + "\n"
    write(os.path.join(d, "mapped-index.csv"), table_seed(2, 2, idx))
    write(os.path.join(d, "mapped-index-header.csv"), table_seed(2, 1, "id,when,y,x,s,c,h,n,k\n" + idx))
    semi = "\n".join([
        "ID;when;y;x;cls;type;sec;dest",
        "219000001;20/03/2021 00:22;55,676;12,568;Class A;1;5;GOTEBORG",
        "219000002;20.03.2021 00:22:07;55,6;12,5;;18;61;",
        "219000003;2021-03-20 00:22:08;55.6;12.5;;5;;\"HAMBURG; DE\"",
        "219000004;13/13/2021 00:22;55.6;12.5;;1;;",
        "219000005;20/03/2021 00:22;55.6;12.5;;21;;",
    ]) + "\n"
    write(os.path.join(d, "mapped-semicolon-dayfirst.csv"), table_seed(4, 3, semi))
    tab = "\n".join([
        "\t".join(["211000001", "53.5", "9.9", "03/20/2021 00:22:01", "9123456", "DABC", "70", "100", "20",
                   "10", "12", "7.5", "5"]),
        "\t".join(["211000002", "53.5", "9.9", "03/20/2021 00:22:01 UTC", "IMO 1", "D", "Tanker", "-1", "2000",
                   "64", "64", "30", "moored"]),
        "\t".join(["211000003", "53.5", "9.9", "02/29/2020", "", "", "", "", "", "", "", "", ""]),
    ]) + "\n"
    write(os.path.join(d, "mapped-tab-monthfirst.csv"), table_seed(6, 1, tab))
    pipe = "mmsi|lat|lon\n211000001|53.5|9.9\n211000002|n/a|-\n|1|2\n211000003|1|2|3\n"
    write(os.path.join(d, "mapped-pipe.csv"), table_seed(7, 2, pipe))


# ---- fuzz_sanctions: one control byte (see fuzz/fuzz_sanctions.c), then the list text,
# companions after "\n~~~\n". Byte 0: bits 0-3 the file name (0 sdn.csv, 1 SDN.CSV, 2 list.xml,
# 3 uksl.xml, 4 vessels.jsonl, 5 maritime.csv, 6 watch.csv, 7 x.txt, 8 Sdn.csv,
# 9 sdn-2024.sdn.csv, 11 un1718.csv, 13 opensanctions.json), bits 4-5 the companions
# (ALT, SDN_COMMENTS), bit 6 a second load, bit 7 no report callback. Every vessel, number
# and name here is invented; IMO numbers get their check digit (or a wrong one on purpose).
def imo(six, valid=True):
    s = sum(int(d) * (7 - i) for i, d in enumerate(six)) % 10
    return "%s%d" % (six, s if valid else (s + 1) % 10)


SEP = "\n~~~\n"


def sanctions_seed(flags, text, *companions):
    body = SEP.join([text] + list(companions))
    return bytes([flags]) + (body.encode("utf-8") if isinstance(body, str) else body)


def write_sanctions_corpus():
    d = os.path.join(HERE, "corpus", "sanctions")
    i1, i2, i3, bad = imo("918762"), imo("956223"), imo("123456"), imo("700001", valid=False)
    sdn = "\r\n".join([
        '36,"EXAMPLE AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Havana, Cuba."',
        '15036,"ALPHA STAR","vessel","DPRK3] [IRAN",-0- ,"HOAB1","Crude Oil Tanker",-0- ,-0- ,"Panama",-0- ,'
        '"Vessel Registration Identification IMO %s; MMSI 572469210; f.k.a. \'D\'S PRIDE\'; a.k.a. \'STAR 1\'; '
        'Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; Linked To: EXAMPLE SHIPPING CO LTD."' % i1,
        '15037,"M/V SEA-BREEZE 2","vessel","[SDGT]",-0- ,"9LAB2",-0- ,-0- ,-0- ,"Comoros",-0- ,'
        '"Vessel Registration Identification IMO%s; Former Vessel Flag None Identified."' % i2,
        '15038,"NUMBERLESS","vessel","IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"IMO 12345; MMSI 1234; IMO %s"' % bad,
        '15039,-0- ,"vessel","IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
        '15040,"SHORT ROW","vessel"',
        "15041,\"OTHER\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1970; IMO %s\"" % i3,
    ]) + "\r\n\x1a"
    alt = "\r\n".join(['15036,1001,"fka","OCEAN STAR",-0- ', '15037,1002,"aka","SEA BREEZE II",-0- ',
                       '15036,1003,"aka",-0- ,-0- ', "99999,1,2", "x,1,aka,NOBODY,"]) + "\r\n"
    comments = "\r\n".join(['15036,"; alt. Former Vessel Flag Comoros; MMSI 572469211."',
                            '15038," IMO %s"' % i3, "15037"]) + "\r\n"
    write(os.path.join(d, "sdn.csv"), sanctions_seed(0x30, sdn, alt, comments))
    write(os.path.join(d, "SDN-upper-alt.CSV"), sanctions_seed(0x11, sdn, alt))
    write(os.path.join(d, "sdn-comments-only.csv"), sanctions_seed(0x28, sdn, comments))
    write(os.path.join(d, "sdn-twice.csv"), sanctions_seed(0x79, sdn, alt, comments))
    write(os.path.join(d, "sdn-unterminated.csv"), sanctions_seed(0x30, sdn + '15042,"OPEN', alt, 'x,"open'))
    write(os.path.join(d, "alt-alone.csv"), sanctions_seed(0x00, alt))

    xml = """<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation><Publish_Date>01/01/2024</Publish_Date><Record_Count>3</Record_Count></publshInformation>
  <sdnEntry><uid>15036</uid><lastName>ALPHA STAR</lastName><sdnType>Vessel</sdnType>
    <programList><program>DPRK3</program><program>IRAN</program></programList>
    <idList>
      <id><uid>1</uid><idType>Vessel Registration Identification</idType><idNumber>IMO %s</idNumber></id>
      <id><uid>2</uid><idType>MMSI</idType><idNumber>572469210</idNumber></id>
      <id><uid>3</uid><idType>Former Vessel Flag</idType><idNumber>Malta</idNumber></id>
      <id><uid>4</uid><idType>Former Vessel Flag</idType><idNumber>None Identified</idNumber></id>
    </idList>
    <akaList><aka><uid>5</uid><type>f.k.a.</type><category>strong</category><lastName>OCEAN STAR</lastName></aka>
      <aka><type>a.k.a.</type><firstName>SEA</firstName><lastName>STAR</lastName></aka></akaList>
    <vesselInfo><callSign>HOAB1</callSign><vesselType>Crude Oil Tanker</vesselType><vesselFlag>Panama</vesselFlag></vesselInfo>
  </sdnEntry>
  <sdnEntry><uid>15038</uid><lastName> &amp; NUMBERLESS &#233; </lastName><sdnType>Vessel</sdnType>
    <idList><id><idType>Vessel Registration Identification</idType><idNumber>IMO %s</idNumber></id>
      <id><idType>MMSI</idType><idNumber>12</idNumber></id></idList></sdnEntry>
  <sdnEntry><uid>15039</uid><sdnType>Vessel</sdnType></sdnEntry>
  <sdnEntry><uid>36</uid><lastName>EXAMPLE AIRLINES</lastName><sdnType>Entity</sdnType></sdnEntry>
</sdnList>
""" % (i1, bad)
    write(os.path.join(d, "sdn.xml"), sanctions_seed(0x02, xml))
    write(os.path.join(d, "sdn-broken.xml"), sanctions_seed(0x0a, xml[:len(xml) // 2]))
    uk = """<?xml version="1.0" encoding="utf-8"?>
<Designations>
  <DateGenerated>2024-01-01</DateGenerated>
  <Designation>
    <LastUpdated>2024-01-01</LastUpdated><UniqueID>DPR0075</UniqueID>
    <RegimeName>Democratic People's Republic of Korea</RegimeName>
    <IndividualEntityShip>Ship</IndividualEntityShip>
    <Names>
      <Name><Name6>SEA GLORY</Name6><NameType>Primary Name</NameType></Name>
      <Name><Name6>GLORY ONE</Name6><NameType>Alias</NameType></Name>
      <Name><Name1>M.T.</Name1><Name6>SEA GLORY</Name6><NameType>Alias</NameType></Name>
    </Names>
    <ShipDetails><Ship>
      <IMONumbers><IMONumber>%s</IMONumber><IMONumber>IMO-%s</IMONumber><IMONumber>n/a</IMONumber></IMONumbers>
      <CurrentBelievedFlagOfShips><CurrentBelievedFlagOfShip>Unknown</CurrentBelievedFlagOfShip></CurrentBelievedFlagOfShips>
      <PreviousFlags><PreviousFlag>Sierra Leone</PreviousFlag><PreviousFlag></PreviousFlag></PreviousFlags>
      <CallSigns><CallSign>T8AB</CallSign></CallSigns>
    </Ship></ShipDetails>
  </Designation>
  <Designation><UniqueID>DPR0076</UniqueID><IndividualEntityShip>Ship</IndividualEntityShip>
    <ShipDetails><Ship><IMONumbers><IMONumber>%s</IMONumber></IMONumbers></Ship></ShipDetails></Designation>
  <Designation><UniqueID>DPR0077</UniqueID><IndividualEntityShip>Ship</IndividualEntityShip></Designation>
  <Designation><UniqueID>RUS0001</UniqueID><IndividualEntityShip>Entity</IndividualEntityShip>
    <Names><Name><Name6>EXAMPLE CO</Name6><NameType>Primary Name</NameType></Name></Names></Designation>
</Designations>
""" % (i3, i2, i1)
    write(os.path.join(d, "uksl.xml"), sanctions_seed(0x03, uk))
    write(os.path.join(d, "un-consolidated.xml"), sanctions_seed(0x07, "<CONSOLIDATED_LIST><INDIVIDUALS>"
                                                   "<INDIVIDUAL/></INDIVIDUALS><ENTITIES><ENTITY/></ENTITIES>"
                                                   "</CONSOLIDATED_LIST>"))
    write(os.path.join(d, "other-root.xml"), sanctions_seed(0x07, "\ufeff  <export><sanctionEntity/></export>"))
    ftm = "\n".join([
        '{"id": "os-vessel-1", "schema": "Vessel", "caption": "NEW HORIZON", "datasets": ["us_ofac_sdn", '
        '"gb_fcdo_sanctions"], "properties": {"name": ["NEW HORIZON", "NEW HORIZON I"], "alias": ["HORIZON 1"], '
        '"previousName": ["BLUE SKY"], "weakAlias": ["NH"], "imoNumber": ["IMO %s"], "mmsi": ["422000001"], '
        '"flag": ["ir"], "pastFlags": ["pa", "km"], "callSign": ["EPAB2"], "program": ["IRAN-EO13846"]}}' % i2,
        '{"id": "os-vessel-2", "schema": "Vessel", "caption": "CAPTION ONLY", "properties": {"imoNumber": ["%s"], '
        '"mmsi": ["12"]}}' % bad,
        '{"id": "os-vessel-3", "schema": "Vessel", "properties": {"alias": ["ONLY AN ALIAS"]}}',
        '{"id": "os-vessel-4", "schema": "Vessel"}',
        '{"id": "os-co-1", "schema": "Company", "properties": {"name": ["EXAMPLE CO"], "imoNumber": ["%s"]}}' % i1,
        '{"id": "os-vessel-5", "schema": "Vessel", "properties": {"name": [7], "imoNumber": [null]}}',
        '["not", "an", "object"]',
        '{"id": "broken", ',
        "",
    ])
    write(os.path.join(d, "vessels.jsonl"), sanctions_seed(0x04, ftm))
    write(os.path.join(d, "ftm-as-json.json"), sanctions_seed(0x4d, ftm))
    maritime = "\n".join([
        "type,caption,name,imo,risk,countries,flag,mmsi,id,url,datasets,aliases",
        'VESSEL,NEW HORIZON,NEW HORIZON,%s,sanction,ir;pa,ir,422000001,os-vessel-1,https://example.org/1,'
        '"us_ofac_sdn;gb_fcdo_sanctions","HORIZON 1; BLUE SKY"' % i2,
        "ORGANIZATION,EXAMPLE CO,EXAMPLE CO,%s,sanction,ir,,,os-co-1,,us_ofac_sdn," % i1,
        "VESSEL,X,,IMO 1,,,,,os-vessel-9,,,",
        "VESSEL,Y,,,,,,,os-vessel-10,,,",
        "VESSEL,SHORT",
        "vessel,LOWER CASE,LOWER CASE,,,,,123456789,os-vessel-11,,,",
    ]) + "\n"
    write(os.path.join(d, "maritime.csv"), sanctions_seed(0x05, maritime))
    watch = "\n".join([
        "\ufeffIMO,MMSI,Name,List,Program",
        "%s,572469210,ALPHA STAR,Analyst watch,shadow fleet" % i1,
        ",,M/V SEA-BREEZE 2,,",
        "%s,,,,"  % bad,
        ",,,,",
        '"%s","273000001","""QUOTED"" NAME",,' % i3,
        "123,,NO,,",
    ]) + "\n"
    write(os.path.join(d, "watch.csv"), sanctions_seed(0x06, watch))
    un = "\n".join([
        "Vessel Name,IMO Number,MMSI,Flag,Call Sign,Type,Date of Designation,Registered Owner,Resolution,"
        "Former Names",
        "SEA GLORY,%s,,DPRK,HMAB,Tanker,2018-03-30,EXAMPLE CO,2397 (2017),GLORY ONE; GLORY;;" % i3,
        "CHON MA SAN,IMO %s,445000001,,,,,,," % i2,
        ",,,,,,,,,",
        "NO IMO,,,,,,,,,",
    ]) + "\n"
    write(os.path.join(d, "un1718.csv"), sanctions_seed(0x0b, un))
    write(os.path.join(d, "unknown.txt"), sanctions_seed(0x87, "a,b,c\n1,2,3\n"))
    write(os.path.join(d, "empty.csv"), sanctions_seed(0x07, "\r\n\r\n"))
    geo_seeds()


def geo_seeds():
    """fuzz_geo: byte 0 % 3 picks the loader (0 WPI ports, 1 GFW anchorages, 2 TopoJSON land).
    Tiny hand-written files in each format, plus variants the loaders must refuse or skip."""
    d = os.path.join(HERE, "corpus", "geo")
    wpi = ("World Port Index Number,Region Name,Main Port Name,Alternate Port Name,UN/LOCODE,"
           "Country Code,Latitude,Longitude\r\n"
           "1,North Sea,Harbourtown,,NL HBT,Netherlands,51.95,4.05\r\n"
           "2,Strait,\"Cape Point, Old\",,ZA CPO,South Africa,-33.9,18.4\r\n"
           "3,Pacific,Seam Port,,FJ SEA,Fiji,-16.5,180\r\n"
           "4,Arctic,Pole Port,,,Nowhere,90,-180\r\n"
           "5,Bad,No Position,,XX,Nowhere,,\r\n"
           "6,Bad,Out Of Range,,XX YYY,Nowhere,91,0\r\n"
           "7,Short,Short Row\r\n")
    write(os.path.join(d, "ports.csv"), "\x00" + wpi)
    write(os.path.join(d, "ports-bom.csv"), "\x03\xef\xbb\xbf" + wpi.replace("\r\n", "\n"))
    write(os.path.join(d, "ports-nocols.csv"), "\x00Name,Lat,Lon\nA,1,2\n")
    gfw = ("s2id,latitude,longitude,label,sublabel,iso3\n"
           "47c5e3a1,51.90,4.10,HARBOURTOWN,OUTER,NLD\n"
           "47c5e3a3,51.91,4.12,HARBOURTOWN,OUTER,NLD\n"
           "1d8e0c05,1.25,103.75,\"STRAIT, EAST\",,SGP\n"
           "0000a001,-89.99,179.99,SOUTH,,ATA\n"
           "0000a002,nan,0,BAD,,XXX\n"
           "0000a003,0,-180.5,BAD,,XXX\n"
           "0000a004,10\n")
    write(os.path.join(d, "anchorages.csv"), "\x01" + gfw)
    write(os.path.join(d, "anchorages-crlf.csv"), "\x04" + gfw.replace("\n", "\r\n"))
    write(os.path.join(d, "anchorages-nocols.csv"), "\x01s2id,lat,lon\n1,2,3\n")
    # Two small polygons on a 1000-step quantization of the whole globe (0.36 deg by
    # 0.18 deg per step): a square island near (51 N, 4 E) with a square hole (arc 1), and
    # a triangle straddling the antimeridian near Fiji. Arcs are delta-encoded.
    def q(lon, lat):
        return (round((lon + 180) / 0.36), round((lat + 90) / 0.18))

    def arc(pts):
        qs = [q(*p) for p in pts]
        out, px, py = [], 0, 0
        for x, y in qs:
            out.append("[%d,%d]" % (x - px, y - py))
            px, py = x, y
        return "[" + ",".join(out) + "]"
    outer = arc([(2.0, 50.0), (6.0, 50.0), (6.0, 53.0), (2.0, 53.0), (2.0, 50.0)])
    hole = arc([(3.0, 51.0), (3.0, 52.0), (5.0, 52.0), (5.0, 51.0), (3.0, 51.0)])
    tri = arc([(178.2, -18.0), (-178.2, -18.0), (179.64, -15.0), (178.2, -18.0)])
    topo = ('{"type":"Topology","objects":{"land":{"type":"GeometryCollection","geometries":['
            '{"type":"MultiPolygon","arcs":[[[0],[1]],[[2]]]}]}},'
            '"arcs":[%s,%s,%s],'
            '"transform":{"scale":[0.36,0.18],"translate":[-180,-90]},'
            '"bbox":[-180,-90,180,90]}' % (outer, hole, tri))
    write(os.path.join(d, "land.json"), "\x02" + topo)
    plain = ('{"type":"Topology","objects":{"land":{"type":"Polygon","arcs":[[0],[~1]]}},'
             '"arcs":[[[-10,-10],[10,-10],[10,10],[-10,10],[-10,-10]],'
             '[[-1,-1],[-1,1],[1,1],[1,-1],[-1,-1]]]}')
    write(os.path.join(d, "land-plain.json"), "\x05" + plain.replace("~1", "-2"))
    write(os.path.join(d, "land-noland.json"), '\x02{"type":"Topology","objects":{},"arcs":[]}')
    write(os.path.join(d, "land-badarc.json"),
          '\x02{"type":"Topology","objects":{"land":{"type":"Polygon","arcs":[[7]]}},"arcs":[[[0,0],[1,1]]]}')


if __name__ == "__main__":
    main()
