/**
 * Words that must never reach a lock screen (42 CFR Part 2): they reveal that the person is in
 * substance-use treatment. Checked against program names and every SMS body.
 */
export const FORBIDDEN_SMS_WORDS = [
  'drug',
  'test',
  'screen',
  'urine',
  'treatment',
  'recovery',
  'iop',
  'relapse',
  'sober',
  'rehab',
  'substance',
  'addiction',
  'detox',
  'alcohol',
  'opioid',
  'methadone',
  'suboxone',
  // fellowships and their vocabulary
  'narcotic',
  'anonymous',
  'fellowship',
  // medications for opioid and alcohol use disorder
  'naloxone',
  'narcan',
  'naltrexone',
  'buprenorphine',
  'vivitrol',
  'sublocade',
  'zubsolv',
  'antabuse',
  'disulfiram',
  'acamprosate',
  'behavioral',
  'behavioural',
  // Spanish, written without accents: text is compared with its accents taken off, so "adicción"
  // and "adiccion" both match. Stems catch the inflections (sobrio, sobria, sobriedad).
  'droga',
  'prueba',
  'examen',
  'analisis',
  'orina',
  'muestra',
  'toxicolog',
  'antidop',
  'dopaje',
  'tratamiento',
  'terapia',
  'recuperacion',
  'recaida',
  'sobri',
  'rehabilit',
  'sustancia',
  'adicc',
  'adict',
  'desintox',
  'abstinencia',
  'consumo',
  'opiaceo',
  'metadona',
  'buprenorfina',
  'naloxona',
  'naltrexona',
  'anonimo',
  'heroina',
  'cocaina',
  'fentanilo',
  'metanfetamina',
  'marihuana',
  'conductual',
] as const;

/**
 * Short words and phrases that are forbidden only as whole words: "AA" or "NA" inside "Panama" or
 * "Sunart" are harmless, "AA Group" is not. Each has a label for the error.
 */
export const FORBIDDEN_SMS_PHRASES: readonly { label: string; pattern: RegExp }[] = [
  { label: 'AA', pattern: /\ba\.?a\b/i },
  { label: 'NA', pattern: /\bn\.?a\b/i },
  { label: 'SUD', pattern: /\bsud\b/i },
  { label: 'MAT', pattern: /\bmat\b/i },
  { label: '12 step', pattern: /\b(12|twelve)[\s-]*steps?\b/i },
  { label: 'clean', pattern: /\bclean\b/i },
  { label: 'behavioral health', pattern: /\bbeh(av(ior|iour)?(al)?)?\.?\s*(health|hlth)\b/i },
  { label: 'anon', pattern: /\banon\b/i },
  { label: '12 pasos', pattern: /\b(12|doce)[\s-]*pasos?\b/i },
  { label: 'salud mental', pattern: /\bsalud\s+mental\b/i },
];

/** Lower case with the accents taken off: "Adicción" → "adiccion". */
const folded = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '');

/**
 * The forbidden words found in `text`, in English or Spanish: words matched case- and
 * accent-insensitively anywhere (so "testing" and "adicción" count), short words and phrases as
 * whole words.
 */
export function forbiddenWordsIn(text: string): string[] {
  const lower = folded(text);
  return [
    ...FORBIDDEN_SMS_WORDS.filter((word) => lower.includes(word)),
    ...FORBIDDEN_SMS_PHRASES.filter((p) => p.pattern.test(text)).map((p) => p.label),
  ];
}
