// Which scripts a nickname mixes, after Unicode TR39 section 5.1
// ("Restriction-Level Detection"), at its "Highly Restrictive" level: a
// nickname is fine when all its letters share one script, or when it is
// covered by Latin + Han + Hiragana + Katakana (Japanese), Latin + Han +
// Bopomofo (Chinese) or Latin + Han + Hangul (Korean).
//
// JavaScript cannot ask a character's script, only whether it is in one, so
// each character is tested against every script below with \p{Script_Extensions}
// (a character used by several scripts, like the Kana prolonged sound mark,
// belongs to each of them). Characters whose Script_Extensions is Common or
// Inherited (digits, "_", "-", most combining marks) go with any script, as
// TR39 says. A letter that is in none of the scripts listed (one newer than
// the regex engine's Unicode data) counts as a script of its own.

const SCRIPT_NAMES = [
  // The scripts people write names in, first: a mixed nickname is described
  // by the first script each character matches.
  "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana", "Devanagari", "Bengali",
  "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan",
  "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee", "Canadian_Aboriginal", "Khmer", "Mongolian", "Hiragana",
  "Katakana", "Bopomofo", "Han", "Yi", "Tifinagh", "Nko", "Javanese", "Balinese", "Sundanese", "Vai", "Lisu", "Adlam",
  // Every other script of Unicode 16.
  "Ahom", "Anatolian_Hieroglyphs", "Avestan", "Bamum", "Bassa_Vah", "Batak", "Bhaiksuki", "Brahmi", "Braille",
  "Buginese", "Buhid", "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Chorasmian", "Coptic", "Cuneiform",
  "Cypriot", "Cypro_Minoan", "Deseret", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan",
  "Elymaic", "Garay", "Glagolitic", "Gothic", "Grantha", "Gunjala_Gondi", "Gurung_Khema", "Hanifi_Rohingya", "Hanunoo",
  "Hatran", "Imperial_Aramaic", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Kaithi", "Kawi", "Kayah_Li",
  "Kharoshthi", "Khitan_Small_Script", "Khojki", "Khudawadi", "Kirat_Rai", "Lepcha", "Limbu", "Linear_A", "Linear_B",
  "Lycian", "Lydian", "Mahajani", "Makasar", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin",
  "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mro", "Multani",
  "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham",
  "Ol_Chiki", "Ol_Onal", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian",
  "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene",
  "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra",
  "Sharada", "Shavian", "Siddham", "SignWriting", "Sogdian", "Sora_Sompeng", "Soyombo", "Sunuwar", "Syloti_Nagri",
  "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tangsa", "Tangut", "Tirhuta", "Todhri", "Toto",
  "Tulu_Tigalari", "Ugaritic", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Zanabazar_Square",
];

/** A letter in none of the scripts known here. */
export const OTHER_SCRIPT = "another script";

let known: readonly { name: string; test: RegExp }[] | null = null;

/**
 * The scripts this engine knows, each with its test (an unknown name is
 * left out, not an error). Made on first use: the regex engine builds a
 * table for each script as it first tests one, about 1.5 MB for them all,
 * and a server whose nicks are ASCII never needs them (scriptsOf).
 */
export function scripts(): readonly { name: string; test: RegExp }[] {
  known ??= SCRIPT_NAMES.flatMap((name) => {
    try {
      return [{ name, test: new RegExp(`\\p{Script_Extensions=${name}}`, "u") }];
    } catch {
      return [];
    }
  });
  return known;
}

const LATIN: readonly string[] = ["Latin"];
const COMMON = /[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]/u;

/** TR39's "Highly Restrictive" combinations of more than one script. */
const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

// Answers per code point, kept (up to a bound, since anyone can send letters).
const cache = new Map<number, readonly string[] | null>();
const CACHE_MAX = 4096;

/** The Script_Extensions of one character among SCRIPTS; null for Common and Inherited (any script). */
export function scriptsOf(ch: string): readonly string[] | null {
  const cp = ch.codePointAt(0)!;
  // ASCII: letters are Latin and nothing else, the rest Common (tests/unit/confusables.test.ts checks it against the tables).
  if (cp < 0x80) return (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a ? LATIN : null;
  const cached = cache.get(cp);
  if (cached !== undefined) return cached;
  const found = scripts().filter((s) => s.test.test(ch)).map((s) => s.name);
  const answer = found.length > 0 ? found : COMMON.test(ch) ? null : [OTHER_SCRIPT];
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(cp, answer);
  return answer;
}

/**
 * The scripts a string mixes where TR39's Highly Restrictive level refuses
 * the mix, in the order they first appear; an empty list when it is fine.
 */
export function unsafeScriptMix(text: string): string[] {
  // ASCII is Latin, digits and punctuation: one script at most.
  if (/^[\x00-\x7f]*$/.test(text)) return [];
  const sets: (readonly string[])[] = [];
  for (const ch of text) {
    const scripts = scriptsOf(ch);
    if (scripts) sets.push(scripts);
  }
  if (sets.length === 0) return [];
  // The resolved script set: the scripts every character has.
  const resolved = sets.slice(1).reduce((common, set) => common.filter((s) => set.includes(s)), sets[0]!);
  if (resolved.length > 0) return [];
  // Covered by an allowed mix: every character is in at least one of its scripts.
  if (ALLOWED_MIXES.some((mix) => sets.every((set) => set.some((s) => mix.has(s))))) return [];
  // Name the mix: each character adds its first script unless one it has is named already.
  const named: string[] = [];
  for (const set of sets) if (!set.some((s) => named.includes(s))) named.push(set[0]!);
  return named;
}
