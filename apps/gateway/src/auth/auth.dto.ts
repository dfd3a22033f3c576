import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export const normalizeEmail = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class SignUpDto {
  /** The user's e-mail address; stored trimmed and lower-cased. @example "ada@example.com" */
  @Transform(normalizeEmail)
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  @MaxLength(254)
  email!: string;

  /** 8 to 128 characters. @example "correct horse battery staple" */
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;
}

export class SignInDto {
  /** @example "ada@example.com" */
  @Transform(normalizeEmail)
  @IsString()
  @MaxLength(254)
  email!: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(128)
  password!: string;
}

export class UserDto {
  /** @example "0b6f7a5e-4a43-4a53-9d36-2a8f0e9f1c11" */
  id!: string;
  /** @example "ada@example.com" */
  email!: string;
}

export class SessionDto {
  /** HS256 JWT; send it as `Authorization: Bearer <token>`, or rely on the session cookie. */
  accessToken!: string;
  /** When the token expires (ISO 8601). @example "2026-11-24T12:00:00.000Z" */
  expiresAt!: string;
}

export class ValidateDto {
  user!: UserDto;
}
