/**
 * ts-jest wrapper around the @nestjs/swagger CLI plugin (the one `nest build` runs), so that the
 * OpenAPI document the tests see is the one users get. ts-jest wants name/version/factory.
 */
const plugin = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) =>
  plugin.before(
    { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
    compiler.program,
  );
