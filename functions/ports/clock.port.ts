/** The current instant, as a UTC ISO string. Lambdas use the system clock; the simulator a virtual one. */
export interface Clock {
  now(): string;
}

export const systemClock: Clock = {
  now: () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
};
