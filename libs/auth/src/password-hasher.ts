import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

export interface Argon2Cost {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's argon2id baseline (19 MiB, t=2, p=1); chosen by measurement, see docs/DECISIONS.md. */
export const DEFAULT_ARGON2_COST: Argon2Cost = {
  memoryCostKiB: 19456,
  timeCost: 2,
  parallelism: 1,
};

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** A real hash of a random password, verified against for unknown e-mails so both paths cost the same. */
  private dummyHash = '';

  constructor(private readonly cost: Argon2Cost = DEFAULT_ARGON2_COST) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(24).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: this.cost.memoryCostKiB,
      timeCost: this.cost.timeCost,
      parallelism: this.cost.parallelism,
    });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the same work as a real verification and always fails. */
  async verifyDummy(password: string): Promise<false> {
    if (!this.dummyHash) await this.onModuleInit();
    await this.verify(this.dummyHash, password);
    return false;
  }
}
