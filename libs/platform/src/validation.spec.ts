import { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength } from 'class-validator';
import { ErrorCode, ValidationFailedError } from './errors';
import { apiValidationPipe, assertJsonWithinBounds } from './validation';

class Body {
  @IsString()
  @MaxLength(5)
  name!: string;

  @IsOptional()
  @IsInt()
  @Max(10)
  count?: number;
}

describe('apiValidationPipe', () => {
  const pipe = apiValidationPipe();
  const meta: ArgumentMetadata = { type: 'body', metatype: Body };

  async function failure(value: unknown): Promise<ValidationFailedError> {
    const err = await pipe.transform(value, meta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationFailedError);
    return err as ValidationFailedError;
  }

  it('reports each field with a code: required, unknown, type, length, range', async () => {
    expect((await failure({ extra: 1 })).errors).toEqual(
      expect.arrayContaining([
        { field: 'name', code: ErrorCode.FIELD_REQUIRED, message: 'name is required' },
        { field: 'extra', code: ErrorCode.FIELD_UNKNOWN, message: 'extra is not a known field' },
      ]),
    );
    const codes = (await failure({ name: 'too long', count: 11.5 })).errors!.map((e) => [
      e.field,
      e.code,
    ]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['name', ErrorCode.FIELD_INVALID_LENGTH],
        ['count', ErrorCode.FIELD_INVALID_TYPE],
        ['count', ErrorCode.FIELD_OUT_OF_RANGE],
      ]),
    );
  });

  it('passes a valid body through', async () => {
    await expect(pipe.transform({ name: 'ok' }, meta)).resolves.toEqual({ name: 'ok' });
  });
});

describe('assertJsonWithinBounds', () => {
  it('refuses nesting deeper than the bound without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(() => assertJsonWithinBounds(deep)).toThrow(/nested deeper than 16/);
    expect(() => assertJsonWithinBounds({ a: { b: { c: 1 } } })).not.toThrow();
  });

  it('refuses a document with too many members', () => {
    const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    expect(() => assertJsonWithinBounds(wide)).toThrow(/more than 1000 members/);
    expect(() => assertJsonWithinBounds([1, 2, 3])).not.toThrow();
  });
});
