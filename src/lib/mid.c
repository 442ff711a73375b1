/* mid.c — flag, station kind, IMO check digit and ship type legend (see aiswatch/mid.h).
 *
 * The MID table is indexed directly by MID - 200, so a lookup is one bounds check and one
 * load; unallocated slots have mid == 0. Source: ITU "Table of Maritime Identification
 * Digits" (ITU-R M.585, Radio Regulations Appendix 42; itu.int/en/ITU-R/terrestrial/fmd/
 * Pages/mid.aspx), cross-checked against the copy of that page shipped in public MMSI
 * tools; ISO 3166-1 alpha-2 codes per ISO's Online Browsing Platform. Names are shortened
 * to common English forms ("Iran", not "Iran (Islamic Republic of)"), except that both
 * Koreas carry their formal names as well, since that is the distinction that matters to
 * sanctions work.
 */
#include "aiswatch/mid.h"

#include <stddef.h>

#define AW_MID_MIN 200
#define AW_MID_MAX 799

static const aw_flag flags[AW_MID_MAX - AW_MID_MIN + 1] = {
    [201 - AW_MID_MIN] = {201, "AL", "Albania"},
    [202 - AW_MID_MIN] = {202, "AD", "Andorra"},
    [203 - AW_MID_MIN] = {203, "AT", "Austria"},
    [204 - AW_MID_MIN] = {204, "PT", "Portugal - Azores"},
    [205 - AW_MID_MIN] = {205, "BE", "Belgium"},
    [206 - AW_MID_MIN] = {206, "BY", "Belarus"},
    [207 - AW_MID_MIN] = {207, "BG", "Bulgaria"},
    [208 - AW_MID_MIN] = {208, "VA", "Vatican City State"},
    [209 - AW_MID_MIN] = {209, "CY", "Cyprus"},
    [210 - AW_MID_MIN] = {210, "CY", "Cyprus"},
    [211 - AW_MID_MIN] = {211, "DE", "Germany"},
    [212 - AW_MID_MIN] = {212, "CY", "Cyprus"},
    [213 - AW_MID_MIN] = {213, "GE", "Georgia"},
    [214 - AW_MID_MIN] = {214, "MD", "Moldova"},
    [215 - AW_MID_MIN] = {215, "MT", "Malta"},
    [216 - AW_MID_MIN] = {216, "AM", "Armenia"},
    [218 - AW_MID_MIN] = {218, "DE", "Germany"},
    [219 - AW_MID_MIN] = {219, "DK", "Denmark"},
    [220 - AW_MID_MIN] = {220, "DK", "Denmark"},
    [224 - AW_MID_MIN] = {224, "ES", "Spain"},
    [225 - AW_MID_MIN] = {225, "ES", "Spain"},
    [226 - AW_MID_MIN] = {226, "FR", "France"},
    [227 - AW_MID_MIN] = {227, "FR", "France"},
    [228 - AW_MID_MIN] = {228, "FR", "France"},
    [229 - AW_MID_MIN] = {229, "MT", "Malta"},
    [230 - AW_MID_MIN] = {230, "FI", "Finland"},
    [231 - AW_MID_MIN] = {231, "FO", "Faroe Islands (Denmark)"},
    [232 - AW_MID_MIN] = {232, "GB", "United Kingdom"},
    [233 - AW_MID_MIN] = {233, "GB", "United Kingdom"},
    [234 - AW_MID_MIN] = {234, "GB", "United Kingdom"},
    [235 - AW_MID_MIN] = {235, "GB", "United Kingdom"},
    [236 - AW_MID_MIN] = {236, "GI", "Gibraltar (United Kingdom)"},
    [237 - AW_MID_MIN] = {237, "GR", "Greece"},
    [238 - AW_MID_MIN] = {238, "HR", "Croatia"},
    [239 - AW_MID_MIN] = {239, "GR", "Greece"},
    [240 - AW_MID_MIN] = {240, "GR", "Greece"},
    [241 - AW_MID_MIN] = {241, "GR", "Greece"},
    [242 - AW_MID_MIN] = {242, "MA", "Morocco"},
    [243 - AW_MID_MIN] = {243, "HU", "Hungary"},
    [244 - AW_MID_MIN] = {244, "NL", "Netherlands"},
    [245 - AW_MID_MIN] = {245, "NL", "Netherlands"},
    [246 - AW_MID_MIN] = {246, "NL", "Netherlands"},
    [247 - AW_MID_MIN] = {247, "IT", "Italy"},
    [248 - AW_MID_MIN] = {248, "MT", "Malta"},
    [249 - AW_MID_MIN] = {249, "MT", "Malta"},
    [250 - AW_MID_MIN] = {250, "IE", "Ireland"},
    [251 - AW_MID_MIN] = {251, "IS", "Iceland"},
    [252 - AW_MID_MIN] = {252, "LI", "Liechtenstein"},
    [253 - AW_MID_MIN] = {253, "LU", "Luxembourg"},
    [254 - AW_MID_MIN] = {254, "MC", "Monaco"},
    [255 - AW_MID_MIN] = {255, "PT", "Portugal - Madeira"},
    [256 - AW_MID_MIN] = {256, "MT", "Malta"},
    [257 - AW_MID_MIN] = {257, "NO", "Norway"},
    [258 - AW_MID_MIN] = {258, "NO", "Norway"},
    [259 - AW_MID_MIN] = {259, "NO", "Norway"},
    [261 - AW_MID_MIN] = {261, "PL", "Poland"},
    [262 - AW_MID_MIN] = {262, "ME", "Montenegro"},
    [263 - AW_MID_MIN] = {263, "PT", "Portugal"},
    [264 - AW_MID_MIN] = {264, "RO", "Romania"},
    [265 - AW_MID_MIN] = {265, "SE", "Sweden"},
    [266 - AW_MID_MIN] = {266, "SE", "Sweden"},
    [267 - AW_MID_MIN] = {267, "SK", "Slovakia"},
    [268 - AW_MID_MIN] = {268, "SM", "San Marino"},
    [269 - AW_MID_MIN] = {269, "CH", "Switzerland"},
    [270 - AW_MID_MIN] = {270, "CZ", "Czech Republic"},
    [271 - AW_MID_MIN] = {271, "TR", "Turkey"},
    [272 - AW_MID_MIN] = {272, "UA", "Ukraine"},
    [273 - AW_MID_MIN] = {273, "RU", "Russian Federation"},
    [274 - AW_MID_MIN] = {274, "MK", "North Macedonia"},
    [275 - AW_MID_MIN] = {275, "LV", "Latvia"},
    [276 - AW_MID_MIN] = {276, "EE", "Estonia"},
    [277 - AW_MID_MIN] = {277, "LT", "Lithuania"},
    [278 - AW_MID_MIN] = {278, "SI", "Slovenia"},
    [279 - AW_MID_MIN] = {279, "RS", "Serbia"},
    [301 - AW_MID_MIN] = {301, "AI", "Anguilla (United Kingdom)"},
    [303 - AW_MID_MIN] = {303, "US", "Alaska (United States)"},
    [304 - AW_MID_MIN] = {304, "AG", "Antigua and Barbuda"},
    [305 - AW_MID_MIN] = {305, "AG", "Antigua and Barbuda"},
    [306 - AW_MID_MIN] = {306, "CW", "Curacao, Sint Maarten, Bonaire, Sint Eustatius and Saba (Netherlands)"},
    [307 - AW_MID_MIN] = {307, "AW", "Aruba (Netherlands)"},
    [308 - AW_MID_MIN] = {308, "BS", "Bahamas"},
    [309 - AW_MID_MIN] = {309, "BS", "Bahamas"},
    [310 - AW_MID_MIN] = {310, "BM", "Bermuda (United Kingdom)"},
    [311 - AW_MID_MIN] = {311, "BS", "Bahamas"},
    [312 - AW_MID_MIN] = {312, "BZ", "Belize"},
    [314 - AW_MID_MIN] = {314, "BB", "Barbados"},
    [316 - AW_MID_MIN] = {316, "CA", "Canada"},
    [319 - AW_MID_MIN] = {319, "KY", "Cayman Islands (United Kingdom)"},
    [321 - AW_MID_MIN] = {321, "CR", "Costa Rica"},
    [323 - AW_MID_MIN] = {323, "CU", "Cuba"},
    [325 - AW_MID_MIN] = {325, "DM", "Dominica"},
    [327 - AW_MID_MIN] = {327, "DO", "Dominican Republic"},
    [329 - AW_MID_MIN] = {329, "GP", "Guadeloupe (France)"},
    [330 - AW_MID_MIN] = {330, "GD", "Grenada"},
    [331 - AW_MID_MIN] = {331, "GL", "Greenland (Denmark)"},
    [332 - AW_MID_MIN] = {332, "GT", "Guatemala"},
    [334 - AW_MID_MIN] = {334, "HN", "Honduras"},
    [336 - AW_MID_MIN] = {336, "HT", "Haiti"},
    [338 - AW_MID_MIN] = {338, "US", "United States"},
    [339 - AW_MID_MIN] = {339, "JM", "Jamaica"},
    [341 - AW_MID_MIN] = {341, "KN", "Saint Kitts and Nevis"},
    [343 - AW_MID_MIN] = {343, "LC", "Saint Lucia"},
    [345 - AW_MID_MIN] = {345, "MX", "Mexico"},
    [347 - AW_MID_MIN] = {347, "MQ", "Martinique (France)"},
    [348 - AW_MID_MIN] = {348, "MS", "Montserrat (United Kingdom)"},
    [350 - AW_MID_MIN] = {350, "NI", "Nicaragua"},
    [351 - AW_MID_MIN] = {351, "PA", "Panama"},
    [352 - AW_MID_MIN] = {352, "PA", "Panama"},
    [353 - AW_MID_MIN] = {353, "PA", "Panama"},
    [354 - AW_MID_MIN] = {354, "PA", "Panama"},
    [355 - AW_MID_MIN] = {355, "PA", "Panama"},
    [356 - AW_MID_MIN] = {356, "PA", "Panama"},
    [357 - AW_MID_MIN] = {357, "PA", "Panama"},
    [358 - AW_MID_MIN] = {358, "PR", "Puerto Rico (United States)"},
    [359 - AW_MID_MIN] = {359, "SV", "El Salvador"},
    [361 - AW_MID_MIN] = {361, "PM", "Saint Pierre and Miquelon (France)"},
    [362 - AW_MID_MIN] = {362, "TT", "Trinidad and Tobago"},
    [364 - AW_MID_MIN] = {364, "TC", "Turks and Caicos Islands (United Kingdom)"},
    [366 - AW_MID_MIN] = {366, "US", "United States"},
    [367 - AW_MID_MIN] = {367, "US", "United States"},
    [368 - AW_MID_MIN] = {368, "US", "United States"},
    [369 - AW_MID_MIN] = {369, "US", "United States"},
    [370 - AW_MID_MIN] = {370, "PA", "Panama"},
    [371 - AW_MID_MIN] = {371, "PA", "Panama"},
    [372 - AW_MID_MIN] = {372, "PA", "Panama"},
    [373 - AW_MID_MIN] = {373, "PA", "Panama"},
    [374 - AW_MID_MIN] = {374, "PA", "Panama"},
    [375 - AW_MID_MIN] = {375, "VC", "Saint Vincent and the Grenadines"},
    [376 - AW_MID_MIN] = {376, "VC", "Saint Vincent and the Grenadines"},
    [377 - AW_MID_MIN] = {377, "VC", "Saint Vincent and the Grenadines"},
    [378 - AW_MID_MIN] = {378, "VG", "British Virgin Islands (United Kingdom)"},
    [379 - AW_MID_MIN] = {379, "VI", "United States Virgin Islands (United States)"},
    [401 - AW_MID_MIN] = {401, "AF", "Afghanistan"},
    [403 - AW_MID_MIN] = {403, "SA", "Saudi Arabia"},
    [405 - AW_MID_MIN] = {405, "BD", "Bangladesh"},
    [408 - AW_MID_MIN] = {408, "BH", "Bahrain"},
    [410 - AW_MID_MIN] = {410, "BT", "Bhutan"},
    [412 - AW_MID_MIN] = {412, "CN", "China"},
    [413 - AW_MID_MIN] = {413, "CN", "China"},
    [414 - AW_MID_MIN] = {414, "CN", "China"},
    [416 - AW_MID_MIN] = {416, "TW", "Taiwan"},
    [417 - AW_MID_MIN] = {417, "LK", "Sri Lanka"},
    [419 - AW_MID_MIN] = {419, "IN", "India"},
    [422 - AW_MID_MIN] = {422, "IR", "Iran"},
    [423 - AW_MID_MIN] = {423, "AZ", "Azerbaijan"},
    [425 - AW_MID_MIN] = {425, "IQ", "Iraq"},
    [428 - AW_MID_MIN] = {428, "IL", "Israel"},
    [431 - AW_MID_MIN] = {431, "JP", "Japan"},
    [432 - AW_MID_MIN] = {432, "JP", "Japan"},
    [434 - AW_MID_MIN] = {434, "TM", "Turkmenistan"},
    [436 - AW_MID_MIN] = {436, "KZ", "Kazakhstan"},
    [437 - AW_MID_MIN] = {437, "UZ", "Uzbekistan"},
    [438 - AW_MID_MIN] = {438, "JO", "Jordan"},
    [440 - AW_MID_MIN] = {440, "KR", "Korea, Republic of (South Korea)"},
    [441 - AW_MID_MIN] = {441, "KR", "Korea, Republic of (South Korea)"},
    [443 - AW_MID_MIN] = {443, "PS", "Palestine, State of"},
    [445 - AW_MID_MIN] = {445, "KP", "Korea, Democratic People's Republic of (North Korea)"},
    [447 - AW_MID_MIN] = {447, "KW", "Kuwait"},
    [450 - AW_MID_MIN] = {450, "LB", "Lebanon"},
    [451 - AW_MID_MIN] = {451, "KG", "Kyrgyzstan"},
    [453 - AW_MID_MIN] = {453, "MO", "Macao (China)"},
    [455 - AW_MID_MIN] = {455, "MV", "Maldives"},
    [457 - AW_MID_MIN] = {457, "MN", "Mongolia"},
    [459 - AW_MID_MIN] = {459, "NP", "Nepal"},
    [461 - AW_MID_MIN] = {461, "OM", "Oman"},
    [463 - AW_MID_MIN] = {463, "PK", "Pakistan"},
    [466 - AW_MID_MIN] = {466, "QA", "Qatar"},
    [468 - AW_MID_MIN] = {468, "SY", "Syrian Arab Republic"},
    [470 - AW_MID_MIN] = {470, "AE", "United Arab Emirates"},
    [471 - AW_MID_MIN] = {471, "AE", "United Arab Emirates"},
    [472 - AW_MID_MIN] = {472, "TJ", "Tajikistan"},
    [473 - AW_MID_MIN] = {473, "YE", "Yemen"},
    [475 - AW_MID_MIN] = {475, "YE", "Yemen"},
    [477 - AW_MID_MIN] = {477, "HK", "Hong Kong (China)"},
    [478 - AW_MID_MIN] = {478, "BA", "Bosnia and Herzegovina"},
    [501 - AW_MID_MIN] = {501, "TF", "Adelie Land (France)"},
    [503 - AW_MID_MIN] = {503, "AU", "Australia"},
    [506 - AW_MID_MIN] = {506, "MM", "Myanmar"},
    [508 - AW_MID_MIN] = {508, "BN", "Brunei Darussalam"},
    [510 - AW_MID_MIN] = {510, "FM", "Micronesia, Federated States of"},
    [511 - AW_MID_MIN] = {511, "PW", "Palau"},
    [512 - AW_MID_MIN] = {512, "NZ", "New Zealand"},
    [514 - AW_MID_MIN] = {514, "KH", "Cambodia"},
    [515 - AW_MID_MIN] = {515, "KH", "Cambodia"},
    [516 - AW_MID_MIN] = {516, "CX", "Christmas Island (Australia)"},
    [518 - AW_MID_MIN] = {518, "CK", "Cook Islands (New Zealand)"},
    [520 - AW_MID_MIN] = {520, "FJ", "Fiji"},
    [523 - AW_MID_MIN] = {523, "CC", "Cocos (Keeling) Islands (Australia)"},
    [525 - AW_MID_MIN] = {525, "ID", "Indonesia"},
    [529 - AW_MID_MIN] = {529, "KI", "Kiribati"},
    [531 - AW_MID_MIN] = {531, "LA", "Lao People's Democratic Republic"},
    [533 - AW_MID_MIN] = {533, "MY", "Malaysia"},
    [536 - AW_MID_MIN] = {536, "MP", "Northern Mariana Islands (United States)"},
    [538 - AW_MID_MIN] = {538, "MH", "Marshall Islands"},
    [540 - AW_MID_MIN] = {540, "NC", "New Caledonia (France)"},
    [542 - AW_MID_MIN] = {542, "NU", "Niue (New Zealand)"},
    [544 - AW_MID_MIN] = {544, "NR", "Nauru"},
    [546 - AW_MID_MIN] = {546, "PF", "French Polynesia (France)"},
    [548 - AW_MID_MIN] = {548, "PH", "Philippines"},
    [550 - AW_MID_MIN] = {550, "TL", "Timor-Leste"},
    [553 - AW_MID_MIN] = {553, "PG", "Papua New Guinea"},
    [555 - AW_MID_MIN] = {555, "PN", "Pitcairn Island (United Kingdom)"},
    [557 - AW_MID_MIN] = {557, "SB", "Solomon Islands"},
    [559 - AW_MID_MIN] = {559, "AS", "American Samoa (United States)"},
    [561 - AW_MID_MIN] = {561, "WS", "Samoa"},
    [563 - AW_MID_MIN] = {563, "SG", "Singapore"},
    [564 - AW_MID_MIN] = {564, "SG", "Singapore"},
    [565 - AW_MID_MIN] = {565, "SG", "Singapore"},
    [566 - AW_MID_MIN] = {566, "SG", "Singapore"},
    [567 - AW_MID_MIN] = {567, "TH", "Thailand"},
    [570 - AW_MID_MIN] = {570, "TO", "Tonga"},
    [572 - AW_MID_MIN] = {572, "TV", "Tuvalu"},
    [574 - AW_MID_MIN] = {574, "VN", "Viet Nam"},
    [576 - AW_MID_MIN] = {576, "VU", "Vanuatu"},
    [577 - AW_MID_MIN] = {577, "VU", "Vanuatu"},
    [578 - AW_MID_MIN] = {578, "WF", "Wallis and Futuna Islands (France)"},
    [601 - AW_MID_MIN] = {601, "ZA", "South Africa"},
    [603 - AW_MID_MIN] = {603, "AO", "Angola"},
    [605 - AW_MID_MIN] = {605, "DZ", "Algeria"},
    [607 - AW_MID_MIN] = {607, "TF", "Saint Paul and Amsterdam Islands (France)"},
    [608 - AW_MID_MIN] = {608, "SH", "Ascension Island (United Kingdom)"},
    [609 - AW_MID_MIN] = {609, "BI", "Burundi"},
    [610 - AW_MID_MIN] = {610, "BJ", "Benin"},
    [611 - AW_MID_MIN] = {611, "BW", "Botswana"},
    [612 - AW_MID_MIN] = {612, "CF", "Central African Republic"},
    [613 - AW_MID_MIN] = {613, "CM", "Cameroon"},
    [615 - AW_MID_MIN] = {615, "CG", "Congo"},
    [616 - AW_MID_MIN] = {616, "KM", "Comoros"},
    [617 - AW_MID_MIN] = {617, "CV", "Cabo Verde"},
    [618 - AW_MID_MIN] = {618, "TF", "Crozet Archipelago (France)"},
    [619 - AW_MID_MIN] = {619, "CI", "Cote d'Ivoire"},
    [620 - AW_MID_MIN] = {620, "KM", "Comoros"},
    [621 - AW_MID_MIN] = {621, "DJ", "Djibouti"},
    [622 - AW_MID_MIN] = {622, "EG", "Egypt"},
    [624 - AW_MID_MIN] = {624, "ET", "Ethiopia"},
    [625 - AW_MID_MIN] = {625, "ER", "Eritrea"},
    [626 - AW_MID_MIN] = {626, "GA", "Gabon"},
    [627 - AW_MID_MIN] = {627, "GH", "Ghana"},
    [629 - AW_MID_MIN] = {629, "GM", "Gambia"},
    [630 - AW_MID_MIN] = {630, "GW", "Guinea-Bissau"},
    [631 - AW_MID_MIN] = {631, "GQ", "Equatorial Guinea"},
    [632 - AW_MID_MIN] = {632, "GN", "Guinea"},
    [633 - AW_MID_MIN] = {633, "BF", "Burkina Faso"},
    [634 - AW_MID_MIN] = {634, "KE", "Kenya"},
    [635 - AW_MID_MIN] = {635, "TF", "Kerguelen Islands (France)"},
    [636 - AW_MID_MIN] = {636, "LR", "Liberia"},
    [637 - AW_MID_MIN] = {637, "LR", "Liberia"},
    [638 - AW_MID_MIN] = {638, "SS", "South Sudan"},
    [642 - AW_MID_MIN] = {642, "LY", "Libya"},
    [644 - AW_MID_MIN] = {644, "LS", "Lesotho"},
    [645 - AW_MID_MIN] = {645, "MU", "Mauritius"},
    [647 - AW_MID_MIN] = {647, "MG", "Madagascar"},
    [649 - AW_MID_MIN] = {649, "ML", "Mali"},
    [650 - AW_MID_MIN] = {650, "MZ", "Mozambique"},
    [654 - AW_MID_MIN] = {654, "MR", "Mauritania"},
    [655 - AW_MID_MIN] = {655, "MW", "Malawi"},
    [656 - AW_MID_MIN] = {656, "NE", "Niger"},
    [657 - AW_MID_MIN] = {657, "NG", "Nigeria"},
    [659 - AW_MID_MIN] = {659, "NA", "Namibia"},
    [660 - AW_MID_MIN] = {660, "RE", "Reunion (France)"},
    [661 - AW_MID_MIN] = {661, "RW", "Rwanda"},
    [662 - AW_MID_MIN] = {662, "SD", "Sudan"},
    [663 - AW_MID_MIN] = {663, "SN", "Senegal"},
    [664 - AW_MID_MIN] = {664, "SC", "Seychelles"},
    [665 - AW_MID_MIN] = {665, "SH", "Saint Helena (United Kingdom)"},
    [666 - AW_MID_MIN] = {666, "SO", "Somalia"},
    [667 - AW_MID_MIN] = {667, "SL", "Sierra Leone"},
    [668 - AW_MID_MIN] = {668, "ST", "Sao Tome and Principe"},
    [669 - AW_MID_MIN] = {669, "SZ", "Eswatini"},
    [670 - AW_MID_MIN] = {670, "TD", "Chad"},
    [671 - AW_MID_MIN] = {671, "TG", "Togo"},
    [672 - AW_MID_MIN] = {672, "TN", "Tunisia"},
    [674 - AW_MID_MIN] = {674, "TZ", "Tanzania"},
    [675 - AW_MID_MIN] = {675, "UG", "Uganda"},
    [676 - AW_MID_MIN] = {676, "CD", "Congo, Democratic Republic of the"},
    [677 - AW_MID_MIN] = {677, "TZ", "Tanzania"},
    [678 - AW_MID_MIN] = {678, "ZM", "Zambia"},
    [679 - AW_MID_MIN] = {679, "ZW", "Zimbabwe"},
    [701 - AW_MID_MIN] = {701, "AR", "Argentina"},
    [710 - AW_MID_MIN] = {710, "BR", "Brazil"},
    [720 - AW_MID_MIN] = {720, "BO", "Bolivia"},
    [725 - AW_MID_MIN] = {725, "CL", "Chile"},
    [730 - AW_MID_MIN] = {730, "CO", "Colombia"},
    [735 - AW_MID_MIN] = {735, "EC", "Ecuador"},
    [740 - AW_MID_MIN] = {740, "FK", "Falkland Islands (United Kingdom)"},
    [745 - AW_MID_MIN] = {745, "GF", "French Guiana (France)"},
    [750 - AW_MID_MIN] = {750, "GY", "Guyana"},
    [755 - AW_MID_MIN] = {755, "PY", "Paraguay"},
    [760 - AW_MID_MIN] = {760, "PE", "Peru"},
    [765 - AW_MID_MIN] = {765, "SR", "Suriname"},
    [770 - AW_MID_MIN] = {770, "UY", "Uruguay"},
    [775 - AW_MID_MIN] = {775, "VE", "Venezuela"},
};

const aw_flag *aw_flag_of_mid(unsigned mid) {
    if (mid < AW_MID_MIN || mid > AW_MID_MAX) return NULL;
    const aw_flag *f = &flags[mid - AW_MID_MIN];
    return f->mid ? f : NULL;
}

/* A MID's first digit is 2..7 (ITU-R M.585 regions: 2 Europe, 3 North and Central
 * America, 4 Asia, 5 Oceania, 6 Africa, 7 South America). */
static bool mid_form(unsigned mid) { return mid >= AW_MID_MIN && mid <= AW_MID_MAX; }

aw_mmsi_kind aw_mmsi_kind_of(uint32_t mmsi) {
    if (mmsi > 999999999u) return AW_MMSI_INVALID;
    unsigned d1 = mmsi / 100000000u;
    switch (d1) {
    case 0:
        if (mmsi < 10000000u) /* 00MIDxxxx */
            return mid_form(mmsi / 10000u) ? AW_MMSI_COAST : AW_MMSI_INVALID;
        return mid_form(mmsi / 100000u) ? AW_MMSI_GROUP : AW_MMSI_INVALID;
    case 1:
        if (mmsi / 1000000u == 111) return mid_form(mmsi / 1000u % 1000u) ? AW_MMSI_SAR_AIRCRAFT : AW_MMSI_INVALID;
        return AW_MMSI_INVALID;
    case 8:
        return mid_form(mmsi / 100000u % 1000u) ? AW_MMSI_HANDHELD : AW_MMSI_INVALID;
    case 9:
        switch (mmsi / 10000000u) {
        case 98: return mid_form(mmsi / 10000u % 1000u) ? AW_MMSI_AUXILIARY : AW_MMSI_INVALID;
        case 99: return mid_form(mmsi / 10000u % 1000u) ? AW_MMSI_ATON : AW_MMSI_INVALID;
        case 97:
            switch (mmsi / 1000000u) {
            case 970: return AW_MMSI_SART;
            case 972: return AW_MMSI_MOB;
            case 974: return AW_MMSI_EPIRB;
            default: return AW_MMSI_INVALID;
            }
        default: return AW_MMSI_INVALID;
        }
    default: /* 2..7 */
        return AW_MMSI_SHIP;
    }
}

const char *aw_mmsi_kind_name(aw_mmsi_kind kind) {
    switch (kind) {
    case AW_MMSI_SHIP: return "ship";
    case AW_MMSI_GROUP: return "group";
    case AW_MMSI_COAST: return "coast";
    case AW_MMSI_SAR_AIRCRAFT: return "sar_aircraft";
    case AW_MMSI_HANDHELD: return "handheld";
    case AW_MMSI_AUXILIARY: return "auxiliary";
    case AW_MMSI_ATON: return "aton";
    case AW_MMSI_SART: return "sart";
    case AW_MMSI_MOB: return "mob";
    case AW_MMSI_EPIRB: return "epirb";
    case AW_MMSI_INVALID: break;
    }
    return "invalid";
}

unsigned aw_mmsi_mid(uint32_t mmsi) {
    switch (aw_mmsi_kind_of(mmsi)) {
    case AW_MMSI_SHIP: return mmsi / 1000000u;
    case AW_MMSI_GROUP: return mmsi / 100000u;
    case AW_MMSI_COAST: return mmsi / 10000u;
    case AW_MMSI_SAR_AIRCRAFT: return mmsi / 1000u % 1000u;
    case AW_MMSI_HANDHELD: return mmsi / 100000u % 1000u;
    case AW_MMSI_AUXILIARY:
    case AW_MMSI_ATON: return mmsi / 10000u % 1000u;
    default: return 0;
    }
}

const aw_flag *aw_flag_of_mmsi(uint32_t mmsi) { return aw_flag_of_mid(aw_mmsi_mid(mmsi)); }

bool aw_imo_valid(uint32_t imo) {
    if (imo < 1000000u || imo > 9999999u) return false;
    unsigned sum = 0, check = imo % 10;
    imo /= 10;
    /* Digits d5..d0 from the right carry weights 2..7. */
    for (unsigned w = 2; w <= 7; w++, imo /= 10) sum += imo % 10 * w;
    return sum % 10 == check;
}

/* ITU-R M.1371-5 Table 53 (as laid out in the AIVDM/AIVDO decoding document). */
static const char *const shiptypes[100] = {
    [0] = "Not available",
    [20] = "Wing in ground (WIG), all ships of this type",
    [21] = "Wing in ground (WIG), Hazardous category A",
    [22] = "Wing in ground (WIG), Hazardous category B",
    [23] = "Wing in ground (WIG), Hazardous category C",
    [24] = "Wing in ground (WIG), Hazardous category D",
    [25] = "Wing in ground (WIG), Reserved for future use",
    [26] = "Wing in ground (WIG), Reserved for future use",
    [27] = "Wing in ground (WIG), Reserved for future use",
    [28] = "Wing in ground (WIG), Reserved for future use",
    [29] = "Wing in ground (WIG), Reserved for future use",
    [30] = "Fishing",
    [31] = "Towing",
    [32] = "Towing: length exceeds 200m or breadth exceeds 25m",
    [33] = "Dredging or underwater ops",
    [34] = "Diving ops",
    [35] = "Military ops",
    [36] = "Sailing",
    [37] = "Pleasure Craft",
    [38] = "Reserved",
    [39] = "Reserved",
    [40] = "High speed craft (HSC), all ships of this type",
    [41] = "High speed craft (HSC), Hazardous category A",
    [42] = "High speed craft (HSC), Hazardous category B",
    [43] = "High speed craft (HSC), Hazardous category C",
    [44] = "High speed craft (HSC), Hazardous category D",
    [45] = "High speed craft (HSC), Reserved for future use",
    [46] = "High speed craft (HSC), Reserved for future use",
    [47] = "High speed craft (HSC), Reserved for future use",
    [48] = "High speed craft (HSC), Reserved for future use",
    [49] = "High speed craft (HSC), No additional information",
    [50] = "Pilot Vessel",
    [51] = "Search and Rescue vessel",
    [52] = "Tug",
    [53] = "Port Tender",
    [54] = "Anti-pollution equipment",
    [55] = "Law Enforcement",
    [56] = "Spare - Local Vessel",
    [57] = "Spare - Local Vessel",
    [58] = "Medical Transport",
    [59] = "Noncombatant ship according to RR Resolution No. 18",
    [60] = "Passenger, all ships of this type",
    [61] = "Passenger, Hazardous category A",
    [62] = "Passenger, Hazardous category B",
    [63] = "Passenger, Hazardous category C",
    [64] = "Passenger, Hazardous category D",
    [65] = "Passenger, Reserved for future use",
    [66] = "Passenger, Reserved for future use",
    [67] = "Passenger, Reserved for future use",
    [68] = "Passenger, Reserved for future use",
    [69] = "Passenger, No additional information",
    [70] = "Cargo, all ships of this type",
    [71] = "Cargo, Hazardous category A",
    [72] = "Cargo, Hazardous category B",
    [73] = "Cargo, Hazardous category C",
    [74] = "Cargo, Hazardous category D",
    [75] = "Cargo, Reserved for future use",
    [76] = "Cargo, Reserved for future use",
    [77] = "Cargo, Reserved for future use",
    [78] = "Cargo, Reserved for future use",
    [79] = "Cargo, No additional information",
    [80] = "Tanker, all ships of this type",
    [81] = "Tanker, Hazardous category A",
    [82] = "Tanker, Hazardous category B",
    [83] = "Tanker, Hazardous category C",
    [84] = "Tanker, Hazardous category D",
    [85] = "Tanker, Reserved for future use",
    [86] = "Tanker, Reserved for future use",
    [87] = "Tanker, Reserved for future use",
    [88] = "Tanker, Reserved for future use",
    [89] = "Tanker, No additional information",
    [90] = "Other Type, all ships of this type",
    [91] = "Other Type, Hazardous category A",
    [92] = "Other Type, Hazardous category B",
    [93] = "Other Type, Hazardous category C",
    [94] = "Other Type, Hazardous category D",
    [95] = "Other Type, Reserved for future use",
    [96] = "Other Type, Reserved for future use",
    [97] = "Other Type, Reserved for future use",
    [98] = "Other Type, Reserved for future use",
    [99] = "Other Type, No additional information",
};

const char *aw_shiptype_text(unsigned shiptype) {
    if (shiptype < 100) return shiptypes[shiptype] ? shiptypes[shiptype] : "Reserved for future use";
    if (shiptype < 200) return "Reserved for regional use";
    if (shiptype < 256) return "Reserved for future use";
    return "";
}
