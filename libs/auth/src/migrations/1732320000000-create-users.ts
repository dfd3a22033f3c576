import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1732320000000 implements MigrationInterface {
  name = 'CreateUsers1732320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "email" varchar(254) NOT NULL,
        "password_hash" text NOT NULL,
        "token_version" integer NOT NULL DEFAULT 0,
        "alert_subscription_arn" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "users_email_key" UNIQUE ("email"),
        CONSTRAINT "users_email_lower" CHECK ("email" = lower("email"))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "users"`);
  }
}
