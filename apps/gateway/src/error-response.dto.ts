/** The body of every error response. */
export class ErrorResponseDto {
  /** @example 400 */
  statusCode!: number;
  /** @example "Bad Request" */
  error!: string;
  /** One message, or one per invalid field. @example ["targetPrice must be a positive decimal string such as \"19.99\""] */
  message!: string | string[];
  /** A stable machine-readable code for domain errors. @example "JOB_NOT_FOUND" */
  code?: string;
  /** Present on 500 responses; quote it when reporting a problem. */
  errorId?: string;
}
