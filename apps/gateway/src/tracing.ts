/**
 * The propagation headers of the active trace, to carry in SQS message attributes. Until
 * OpenTelemetry is wired in, there is no active trace and nothing is carried.
 */
export function currentTraceCarrier(): Record<string, string> | undefined {
  return undefined;
}
