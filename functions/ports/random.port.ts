/** Cryptographic randomness, injected so the domain stays pure (crypto.randomBytes in every adapter set). */
export interface RandomSource {
  bytes(n: number): Uint8Array;
}
