/* test_mid.c — flags from MMSIs of every form, station kinds, the IMO check digit over
 * the real OFAC vessel list, and the ship type legend. */
#include <stdio.h>
#include <string.h>

#include "aiswatch/mid.h"
#include "check.h"

static const char *iso(uint32_t mmsi) {
    const aw_flag *f = aw_flag_of_mmsi(mmsi);
    return f ? f->iso2 : "-";
}

static void ship_mmsis_give_their_flag(void) {
    CHECK_EQ_STR(iso(636021061), "LR");
    CHECK_EQ_STR(aw_flag_of_mmsi(636021061)->name, "Liberia");
    CHECK_EQ_STR(iso(477123456), "HK");
    CHECK_EQ_STR(iso(538005123), "MH");
    CHECK_EQ_STR(iso(413000001), "CN");
    CHECK_EQ_STR(iso(445123000), "KP");
    CHECK(strstr(aw_flag_of_mmsi(445123000)->name, "North Korea") != NULL);
    CHECK_EQ_STR(iso(440123000), "KR");
    CHECK_EQ_STR(iso(273456789), "RU");
    CHECK_EQ_STR(iso(422000001), "IR");
    CHECK_EQ_STR(iso(416000000), "TW");
    CHECK_EQ_STR(iso(352001234), "PA");
    CHECK_EQ_STR(iso(229000000), "MT");
    CHECK_EQ_STR(iso(572123000), "TV");
    CHECK_EQ_STR(iso(620123000), "KM");
    CHECK_EQ_STR(iso(626123000), "GA");
    CHECK_EQ_STR(iso(677123000), "TZ");
    CHECK_EQ_STR(iso(518123000), "CK");
    CHECK_EQ_STR(iso(204123000), "PT");
    CHECK_EQ_STR(iso(201000000), "AL");
    CHECK_EQ_STR(iso(775999999), "VE");
    CHECK_EQ_INT(aw_flag_of_mmsi(236111000)->mid, 236);
    CHECK_EQ_INT(aw_mmsi_kind_of(636021061), AW_MMSI_SHIP);
}

static void every_mid_form_is_read(void) {
    CHECK_EQ_INT(aw_mmsi_kind_of(2320001), AW_MMSI_COAST); /* 002320001 */
    CHECK_EQ_STR(iso(2320001), "GB");
    CHECK_EQ_INT(aw_mmsi_kind_of(23600000), AW_MMSI_GROUP); /* 023600000 */
    CHECK_EQ_STR(iso(23600000), "GI");
    CHECK_EQ_INT(aw_mmsi_kind_of(111232506), AW_MMSI_SAR_AIRCRAFT);
    CHECK_EQ_STR(iso(111232506), "GB");
    CHECK_EQ_INT(aw_mmsi_kind_of(992351000), AW_MMSI_ATON);
    CHECK_EQ_STR(iso(992351000), "GB");
    CHECK_EQ_INT(aw_mmsi_kind_of(993660001), AW_MMSI_ATON);
    CHECK_EQ_STR(iso(993660001), "US");
    CHECK_EQ_INT(aw_mmsi_kind_of(982191234), AW_MMSI_AUXILIARY);
    CHECK_EQ_STR(iso(982191234), "DK");
    CHECK_EQ_INT(aw_mmsi_kind_of(824412345), AW_MMSI_HANDHELD);
    CHECK_EQ_STR(iso(824412345), "NL");
    CHECK_EQ_INT(aw_mmsi_mid(824412345), 244);
    CHECK_EQ_INT(aw_mmsi_kind_of(970123456), AW_MMSI_SART);
    CHECK_EQ_INT(aw_mmsi_kind_of(972123456), AW_MMSI_MOB);
    CHECK_EQ_INT(aw_mmsi_kind_of(974123456), AW_MMSI_EPIRB);
    CHECK(aw_flag_of_mmsi(970123456) == NULL); /* SARTs carry a maker id, not a MID */
    CHECK_EQ_STR(aw_mmsi_kind_name(AW_MMSI_ATON), "aton");
    CHECK_EQ_STR(aw_mmsi_kind_name(aw_mmsi_kind_of(0)), "invalid");
}

static void invalid_and_unallocated_mids_give_no_flag(void) {
    CHECK_EQ_INT(aw_mmsi_kind_of(0), AW_MMSI_INVALID);
    CHECK_EQ_INT(aw_mmsi_kind_of(1000000000u), AW_MMSI_INVALID); /* 10 digits */
    CHECK_EQ_INT(aw_mmsi_kind_of(123456789), AW_MMSI_INVALID);   /* 1 but not 111 */
    CHECK_EQ_INT(aw_mmsi_kind_of(111123456), AW_MMSI_INVALID);   /* 111 + MID 123 */
    CHECK_EQ_INT(aw_mmsi_kind_of(912345678), AW_MMSI_INVALID);
    CHECK_EQ_INT(aw_mmsi_kind_of(971000000), AW_MMSI_INVALID);
    CHECK_EQ_INT(aw_mmsi_kind_of(1234), AW_MMSI_INVALID);        /* 000001234 */
    CHECK_EQ_INT(aw_mmsi_kind_of(812345678), AW_MMSI_INVALID);   /* 8 + MID 123 */
    CHECK(aw_flag_of_mmsi(217000000) == NULL); /* 217: right form, not allocated */
    CHECK_EQ_INT(aw_mmsi_kind_of(217000000), AW_MMSI_SHIP);
    CHECK(aw_flag_of_mmsi(800000000) == NULL);
    CHECK(aw_flag_of_mmsi(999999999) == NULL); /* 99 + MID 999 */
    CHECK(aw_flag_of_mmsi(0) == NULL);
    CHECK(aw_flag_of_mid(199) == NULL);
    CHECK(aw_flag_of_mid(776) == NULL);
    CHECK(aw_flag_of_mid(800) == NULL);
}

static void table_is_whole_and_consistent(void) {
    /* Every allocated MID of the ITU table is there, each with a 2-letter code and a
     * name, and each entry sits at its own MID. */
    unsigned n = 0, bad = 0;
    for (unsigned mid = 0; mid < 1000; mid++) {
        const aw_flag *f = aw_flag_of_mid(mid);
        if (!f) continue;
        n++;
        bad += f->mid != mid || strlen(f->iso2) != 2 || f->iso2[0] < 'A' || f->iso2[0] > 'Z' ||
               f->iso2[1] < 'A' || f->iso2[1] > 'Z' || !f->name || !f->name[0];
    }
    CHECK_EQ_INT(n, 292);
    CHECK_EQ_INT(bad, 0);
}

static void imo_check_digit(void) {
    CHECK(aw_imo_valid(9307839));
    CHECK(!aw_imo_valid(9307838));
    CHECK(aw_imo_valid(9187629));
    CHECK(aw_imo_valid(7406784));
    CHECK(!aw_imo_valid(0));
    CHECK(!aw_imo_valid(999999));    /* 6 digits */
    CHECK(!aw_imo_valid(10000000));  /* 8 digits */
}

/* Every "IMO nnnnnnn" in the Remarks of OFAC's vessel rows. */
static void ofac_vessel_imos_pass_the_check_digit(void) {
    char path[512], line[8192];
    FILE *f = fopen(check_data_path("sanctions/ofac/sdn_2024-05-03_vessels.csv", path, sizeof path), "rb");
    int total = 0, valid = 0, mmsis = 0, flagged = 0;
    while (fgets(line, sizeof line, f)) {
        for (const char *p = line; (p = strstr(p, "IMO ")) != NULL; p += 4) {
            const char *d = p + 4;
            unsigned v = 0, nd = 0;
            while (d[nd] >= '0' && d[nd] <= '9' && nd < 9) v = v * 10 + (unsigned)(d[nd++] - '0');
            if (nd != 7) continue;
            total++;
            valid += aw_imo_valid(v);
        }
        for (const char *p = line; (p = strstr(p, "MMSI ")) != NULL; p += 5) {
            unsigned v = 0, nd = 0;
            while (p[5 + nd] >= '0' && p[5 + nd] <= '9' && nd < 10) v = v * 10 + (unsigned)(p[5 + nd++] - '0');
            if (nd != 9) continue;
            mmsis++;
            flagged += aw_flag_of_mmsi(v) != NULL;
        }
    }
    fclose(f);
    printf("OFAC vessels: %d of %d IMO numbers pass the check digit; %d of %d MMSIs have an "
           "allocated MID\n",
           valid, total, flagged, mmsis);
    CHECK_EQ_INT(total, 842);
    CHECK_EQ_INT(valid, 842);
    CHECK_EQ_INT(mmsis, 154);
    CHECK_EQ_INT(flagged, 154);
}

static void ship_type_legend(void) {
    CHECK_EQ_STR(aw_shiptype_text(0), "Not available");
    CHECK_EQ_STR(aw_shiptype_text(30), "Fishing");
    CHECK_EQ_STR(aw_shiptype_text(52), "Tug");
    CHECK_EQ_STR(aw_shiptype_text(70), "Cargo, all ships of this type");
    CHECK_EQ_STR(aw_shiptype_text(80), "Tanker, all ships of this type");
    CHECK_EQ_STR(aw_shiptype_text(81), "Tanker, Hazardous category A");
    CHECK_EQ_STR(aw_shiptype_text(89), "Tanker, No additional information");
    CHECK_EQ_STR(aw_shiptype_text(99), "Other Type, No additional information");
    CHECK_EQ_STR(aw_shiptype_text(5), "Reserved for future use");
    CHECK_EQ_STR(aw_shiptype_text(150), "Reserved for regional use");
    CHECK_EQ_STR(aw_shiptype_text(255), "Reserved for future use");
    CHECK_EQ_STR(aw_shiptype_text(256), "");
    int missing = 0;
    for (unsigned t = 0; t < 256; t++) missing += aw_shiptype_text(t)[0] == 0;
    CHECK_EQ_INT(missing, 0);
}

int main(void) {
    ship_mmsis_give_their_flag();
    every_mid_form_is_read();
    invalid_and_unallocated_mids_give_no_flag();
    table_is_whole_and_consistent();
    imo_check_digit();
    ofac_vessel_imos_pass_the_check_digit();
    ship_type_legend();
    return check_report("test_mid");
}
