import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsString,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { emailProblem, normalizeEmail } from '@app/auth';

const normalize = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? normalizeEmail(value) : value;

/** Refuses control, invisible, bidi-formatting and compatibility (look-alike) characters. */
function IsPlainEmailText(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainEmailText',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !emailProblem(value),
        defaultMessage: (args) => emailProblem(String(args?.value)) ?? 'email is not acceptable',
      },
    });
}

export class SignUpDto {
  /**
   * The user's e-mail address. Stored trimmed, in Unicode NFC and lower-cased, so one address has
   * one account whatever its spelling. Refused: control, invisible and bidirectional-formatting
   * characters (such as U+202E), and compatibility characters that NFKC would change (fullwidth
   * look-alikes such as "ａ"). @example "ada@example.com"
   */
  @Transform(normalize)
  @IsPlainEmailText()
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
  /** Normalised as at sign-up (trimmed, NFC, lower-cased). @example "ada@example.com" */
  @Transform(normalize)
  @IsString()
  @IsPlainEmailText()
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
